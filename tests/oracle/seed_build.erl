%% seed_build.erl -- the seed scenario on a real BEAM, cell by cell.
%% A process builds twenty 20,000-element lists one cons cell at a time
%% (one heap test of 2 words per cell, as genheap's gh_cons), drops each,
%% and idles.  Prints its young and old heap block sizes and old heap use,
%% then the same after erlang:hibernate/3.  beam-seed.sh compares them with
%% genheap's.  Run: erlc seed_build.erl && erl -noshell -s seed_build main
-module(seed_build).
-export([main/0]).

build(0, Acc) -> Acc;
build(N, Acc) -> build(N - 1, [N | Acc]).

rounds(0) -> ok;
rounds(K) -> L = build(20000, []), 20000 = length(L), rounds(K - 1).

gi(P, K) ->
    {garbage_collection_info, L} = process_info(P, garbage_collection_info),
    proplists:get_value(K, L).

main() ->
    P = spawn(fun() -> rounds(20), receive go -> ok end,
                  erlang:hibernate(erlang, apply, [fun() -> receive after infinity -> ok end end, []])
              end),
    timer:sleep(200),
    io:format("idle heap_block_size ~p old_heap_block_size ~p~n",
              [gi(P, heap_block_size), gi(P, old_heap_block_size)]),
    P ! go, timer:sleep(100),
    io:format("hibernated old_heap_block_size ~p~n", [gi(P, old_heap_block_size)]),
    halt().
