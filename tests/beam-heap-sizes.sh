#!/bin/sh
# beam-heap-sizes.sh -- compares genheap's first 40 heap sizes with a live
# BEAM's erlang:system_info(heap_sizes).  Skips (77) only when no erl is
# installed; .ci/run installs erlang-base, so CI always runs it.
ERL=${ERL:-erl}
if ! command -v "$ERL" >/dev/null 2>&1; then
  echo "SKIP: erl not found (apt-get install erlang-base)"; exit 77
fi
echo "using $ERL"
beam=$("$ERL" -noshell -eval 'io:format("~w~n", [lists:sublist(erlang:system_info(heap_sizes), 40)]), halt().') || {
  echo "FAIL: erl did not run"; exit 1; }
ours=$(./print_heap_sizes 40)
echo "beam:    $beam"
echo "genheap: $ours"
[ "$beam" = "$ours" ] || { echo "FAIL: heap sizes differ"; exit 1; }
echo "PASS: first 40 heap sizes equal BEAM's"
