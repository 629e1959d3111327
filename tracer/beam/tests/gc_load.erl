%% gc_load -- GC-heavy workloads for genheap-beam's bench and tests, the
%% ones of docs/beam-tracing-notes.md: N processes building and dropping
%% lists of Len elements, Rounds times each.
%%
%%   gc_load:main(["run", Procs, Rounds, Len])
%%       runs it once and prints "elapsed_ms N gcs G peak_memory_mb M"
%%   gc_load:main(["forever", Procs, Len, PidFile])
%%       runs until killed (writes the node's OS pid to PidFile first)
%%   gc_load:main(["record", Dir, Opts, Procs, Rounds, Len])
%%       the same as "run", recorded with genheap_beam:start/2 (Opts: an
%%       Erlang term), and prints the recorder's summary too
-module(gc_load).

-export([main/1, run/3]).

main(["run", P, R, L]) ->
    report(run(int(P), int(R), int(L))),
    halt(0);
main(["record", Dir, OptsText, P, R, L]) ->
    {ok, Toks, _} = erl_scan:string(OptsText ++ "."),
    {ok, Opts} = erl_parse:parse_term(Toks),
    {ok, _} = genheap_beam:start(Dir, Opts),
    Result = run(int(P), int(R), int(L)),
    {ok, Summary} = genheap_beam:stop(),
    report(Result),
    io:format("recorder events ~p discarded ~p sheds ~p~n",
              [maps:get(events, Summary), maps:get(discarded, Summary),
               maps:get(sheds, Summary)]),
    halt(0);
main(["forever", P, L, PidFile]) ->
    ok = file:write_file(PidFile, os:getpid()),
    [spawn(fun() -> forever(int(L)) end) || _ <- lists:seq(1, int(P))],
    io:format("gc_load running~n"),
    receive never -> ok end.

int(S) -> list_to_integer(S).

report({Ms, Gcs, PeakMb, CpuMs}) ->
    io:format("elapsed_ms ~p gcs ~p peak_memory_mb ~p cpu_ms ~p~n",
              [Ms, Gcs, PeakMb, CpuMs]).

%% Runs the workload; returns {elapsed ms, GCs the node ran, peak
%% erlang:memory(total) in MB, sampled every 50 ms, CPU ms of the whole
%% runtime (statistics(runtime): the recorder's work included)}.
run(Procs, Rounds, Len) ->
    Self = self(),
    Watch = spawn_link(fun() -> watch(0) end),
    {Gc0, _, _} = statistics(garbage_collection),
    {Cpu0, _} = statistics(runtime),
    T0 = erlang:monotonic_time(millisecond),
    Pids = [spawn_link(fun() -> work(Rounds, Len), Self ! {done, self()} end)
            || _ <- lists:seq(1, Procs)],
    [receive {done, P} -> ok end || P <- Pids],
    T1 = erlang:monotonic_time(millisecond),
    {Cpu1, _} = statistics(runtime),
    {Gc1, _, _} = statistics(garbage_collection),
    Watch ! {peak, Self},
    Peak = receive {peak, M} -> M end,
    {T1 - T0, Gc1 - Gc0, Peak div (1024 * 1024), Cpu1 - Cpu0}.

work(0, _) -> ok;
work(N, Len) ->
    L = lists:seq(1, Len),
    _ = lists:sum(L),
    work(N - 1, Len).

forever(Len) ->
    work(1000, Len),
    forever(Len).

watch(Peak) ->
    receive
        {peak, From} -> From ! {peak, max(Peak, erlang:memory(total))}
    after 50 ->
        watch(max(Peak, erlang:memory(total)))
    end.
