# seed.exs -- the issue's seed scenario as Elixir GenServers, for the tests
# of genheap-beam (tracer/beam/tests/beam-elixir.sh):
#
#   Seed.Bloaty       bursts at init (a 200,000-element table, worked on,
#                     then dropped), then idles: the table stays on its
#                     old heap as garbage
#   Seed.Hibernating  the same with hibernate_after: 200: clean
#
#   elixir seed.exs shell DIR IDLE_MS   records itself with :genheap_beam
#                                       (as from iex), end sweep on
#   elixir seed.exs serve IDLE_MS       only runs (under genheap-beam run)

defmodule Seed.Server do
  use GenServer

  def init(:burst), do: {:ok, %{sum: burst()}}

  def handle_call(:ping, _from, state), do: {:reply, :pong, state}

  # Loads a table, works on it (the minor GCs of that work promote it to
  # the old heap), keeps only a sum: the table is old-heap garbage.
  defp burst do
    table = Enum.to_list(1..200_000)
    a = churn(8, 0)
    b = Enum.sum(table)
    c = churn(8, 0)
    a + b + c
  end

  defp churn(0, acc), do: acc

  defp churn(n, acc) do
    l = :lists.seq(1, 30_000)
    churn(n - 1, acc + length(:lists.reverse(l)))
  end
end

defmodule Seed do
  def start do
    {:ok, _} = GenServer.start(Seed.Server, :burst, name: Seed.Bloaty)
    {:ok, _} = GenServer.start(Seed.Server, :burst, name: Seed.Hibernating, hibernate_after: 200)
    IO.puts("seed started")
  end

  def main(["shell", dir, idle_ms]) do
    {:ok, _} = :genheap_beam.start(String.to_charlist(dir), end_sweep: true)
    start()
    Process.sleep(String.to_integer(idle_ms))
    {:ok, summary} = :genheap_beam.stop()
    IO.puts("summary #{inspect(summary)}")
  end

  def main(["serve", idle_ms]) do
    start()
    Process.sleep(String.to_integer(idle_ms))
    IO.puts("seed done")
    System.stop(0)
    Process.sleep(:infinity)
  end
end

Seed.main(System.argv())
