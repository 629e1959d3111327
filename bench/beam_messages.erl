%% beam_messages.erl -- the `messages` workload of bench/ on a real BEAM,
%% to compare what genheap keeps alive with what BEAM keeps (BENCHMARKS.md,
%% "messages").  2 x 32 processes; each sends N messages {Seq,
%% [Seq..Seq+7], Bin} round robin to the processes of the other group and
%% drains its mailbox after each send; a new 4 KB refc binary every 16
%% messages; at most 4096 messages in flight to a group (W3_WINDOW in
%% bench_common.h).  Prints the time and the peak of erlang:memory(binary),
%% sampled every millisecond.  The checksum differs from the C contenders'
%% (the binary's bytes are not w3_bin_byte's); the work is the same.
%%
%%   erlc beam_messages.erl && erl +S 2 -noshell -run beam_messages main 65535
%%   (the argument is the processes' fullsweep_after)
-module(beam_messages).
-export([main/1]).
-define(P, 32). -define(N, 20000). -define(EVERY, 16).
main([FsaA]) ->
    Fsa = list_to_integer(FsaA),
    Self = self(),
    Procs = [spawn_opt(fun() -> init(Self) end, [{fullsweep_after, Fsa}])
             || _ <- lists:seq(1, 2 * ?P)],
    T = list_to_tuple(Procs),
    A = atomics:new(2, []),
    [P ! {peers, T, I, A} || {P, I} <- lists:zip(Procs, lists:seq(0, 2 * ?P - 1))],
    S = spawn(fun() -> sample(0) end),
    T0 = erlang:monotonic_time(millisecond),
    Sum = lists:sum([receive {done, C} -> C end || _ <- Procs]),
    T1 = erlang:monotonic_time(millisecond),
    S ! {stop, self()},
    receive {peak, Peak} ->
        io:format("fullsweep_after ~p: ~p ms, check ~p, peak binary ~.1f MB~n",
                  [Fsa, T1 - T0, Sum, Peak / 1.0e6])
    end,
    halt().
sample(Peak) ->
    receive {stop, From} -> From ! {peak, Peak}
    after 1 -> sample(max(Peak, erlang:memory(binary)))
    end.
init(Parent) ->
    receive {peers, T, I, A} ->
        put(window, A),
        put(group, I div ?P),
        loop(Parent, T, I, 0, 0, 0, none)
    end.
loop(Parent, _T, _I, ?N, ?N, Check, _Bin) -> Parent ! {done, Check};
loop(Parent, T, I, Sent, Recv, Check, Bin0) when Sent < ?N ->
    DestGroup = (I div ?P + 1) rem 2,
    case atomics:get(get(window), DestGroup + 1) >= 4096 of
        true ->
            {R0, C0} = drain(0, Check),
            erlang:yield(),
            loop(Parent, T, I, Sent, Recv + R0, C0, Bin0);
        false ->
            send_one(Parent, T, I, Sent, Recv, Check, Bin0, DestGroup)
    end;
loop(Parent, T, I, Sent, Recv, Check, Bin) ->
    receive M -> loop(Parent, T, I, Sent, Recv + 1, Check + use(M), Bin) end.
send_one(Parent, T, I, Sent, Recv, Check, Bin0, DestGroup) ->
    atomics:add(get(window), DestGroup + 1, 1),
    Bin = case Sent rem ?EVERY of
              0 -> binary:copy(<<((Sent div ?EVERY) rem 256)>>, 4096);
              _ -> Bin0
          end,
    Dest = element(DestGroup * ?P + (I rem ?P + Sent) rem ?P + 1, T),
    Dest ! {Sent, lists:seq(Sent, Sent + 7), Bin},
    {R, C} = drain(0, Check),
    loop(Parent, T, I, Sent + 1, Recv + R, C, Bin).
drain(R, C) -> receive M -> drain(R + 1, C + use(M)) after 0 -> {R, C} end.
use({S, L, B}) ->
    atomics:sub(get(window), get(group) + 1, 1),
    S + lists:sum(L) + binary:first(B) + binary:last(B) + byte_size(B).
