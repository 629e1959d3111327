%% genheap_seed -- the issue's seed scenario on a real BEAM node, for the
%% tests of genheap-beam: gen_servers that burst at init and then idle.
%%
%%   bloat        builds and drops lists at init, then idles: its old heap
%%                keeps the garbage until a sweep that never comes
%%   hibernating  the same with {hibernate_after, 200}: swept and shrunk
%%   router       forwards large refc binaries, keeping a window of the
%%                last 100, then clears it and idles: its old heap keeps
%%                the ProcBins, and with them the binaries
%%   quiet        a small idle server (control: nothing to find)
%%   worker       the same burst in a short-lived process (exits at once)
%%
%% genheap_seed:main(["shell", Dir, IdleMs, Which...]) records with the
%% shell API around the scenario; genheap_seed:main(["serve", IdleMs,
%% Which...]) only runs it (under genheap-beam run, or to be recorded from
%% outside) and then stops the node.
-module(genheap_seed).
-behaviour(gen_server).

-export([main/1, start/1, burst/0]).
-export([init/1, handle_call/3, handle_cast/2, handle_info/2]).

main(["shell", Dir, IdleMs | Which]) ->
    {ok, _} = genheap_beam:start(Dir, #{end_sweep => true}),
    run(list_to_integer(IdleMs), Which),
    {ok, Summary} = genheap_beam:stop(),
    io:format("summary ~0p~n", [Summary]),
    init:stop();
main(["serve", IdleMs | Which]) ->
    run(list_to_integer(IdleMs), Which),
    io:format("seed done~n"),
    init:stop();
main(["wait" | Which]) ->
    %% started and left running, for a recorder from outside
    [start(list_to_atom(W)) || W <- Which],
    io:format("seed ready~n").

run(IdleMs, Which) ->
    [start(list_to_atom(W)) || W <- Which],
    io:format("seed started ~p~n", [Which]),
    timer:sleep(IdleMs).

start(bloat) ->
    {ok, _} = gen_server:start({local, seed_bloat}, ?MODULE, burst, []);
start(hibernating) ->
    {ok, _} = gen_server:start({local, seed_hibernating}, ?MODULE, burst,
                               [{hibernate_after, 200}]);
start(router) ->
    %% tuned the way busy routers often are: heaps large enough that
    %% neither its work nor its binaries make it collect often
    {ok, R} = gen_server:start({local, seed_router}, ?MODULE, router,
                               [{spawn_opt, [{min_heap_size, 100000},
                                             {min_bin_vheap_size, 1 bsl 25}]}]),
    %% 1,000 binaries of 100 KB through the router, then its window cleared
    [gen_server:cast(R, {forward, binary:copy(<<I:32>>, 25600)})
     || I <- lists:seq(1, 1000)],
    %% some routing work without binaries: its minor GCs promote the
    %% window (even if a sweep had just made it young again)
    [gen_server:cast(R, {route, I}) || I <- lists:seq(1, 400)],
    ok = gen_server:call(R, clear),
    {ok, R};
start(quiet) ->
    {ok, _} = gen_server:start({local, seed_quiet}, ?MODULE, quiet, []);
start(worker) ->
    %% the fix for a burst: do it in a short-lived process
    {Pid, Ref} = spawn_monitor(fun() -> burst() end),
    receive {'DOWN', Ref, process, Pid, normal} -> {ok, Pid} end.

%% Loads a 200,000-element table (400,000 words), works on it (the minor
%% GCs of that work promote it to the old heap), then keeps only a sum: the
%% table is garbage on the old heap, which no later minor GC frees.  On
%% OTP 25 this leaves exactly 400,000 words of old-heap garbage.
burst() ->
    Table = lists:seq(1, 200000),
    A = churn(8, 0),
    B = lists:sum(Table),
    C = churn(8, 0),
    A + B + C.

churn(0, Acc) -> Acc;
churn(N, Acc) -> L = lists:seq(1, 30000), churn(N - 1, Acc + length(lists:reverse(L))).

init(burst) ->
    {ok, #{sum => burst()}};
init(router) ->
    Sink = spawn(fun Drop() -> receive _ -> Drop() end end),
    {ok, #{sink => Sink, recent => []}};
init(quiet) ->
    {ok, #{}}.

handle_call(clear, _From, S) ->
    {reply, ok, S#{recent => []}};
handle_call(_, _From, S) ->
    {reply, ok, S}.

%% A router reads each binary's header, forwards it and keeps the last 100
%% for replays (as the oracle's t6 does).  Reading headers fills its small
%% young heap, so it collects often and the binaries of the window
%% survive two collections: their ProcBins are promoted to the old heap.
handle_cast({forward, Bin}, S = #{sink := Sink, recent := Recent}) ->
    Route = lists:sum(binary_to_list(binary:part(Bin, 0, 256))) rem 8,
    Sink ! {bin, Route, Bin},
    {noreply, S#{recent => lists:sublist([Bin | Recent], 100)}};
handle_cast({route, I}, S) ->
    _ = lists:sum(lists:seq(I, I + 300)),
    {noreply, S};
handle_cast(_, S) -> {noreply, S}.
handle_info(_, S) -> {noreply, S}.
