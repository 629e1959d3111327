#!/bin/bash
# beam-killed.sh -- a node killed (SIGKILL) in the middle of a recording
# leaves a trace that babeltrace2 and genheap-analyze read, up to its last
# complete packet: once when the recorder ran in the node (genheap-beam
# run), once when it streamed to genheap-beam record on another node (which
# then exits 1 and says the recording was cut short).  The node is busy
# collecting when it is killed, so packets are being written.
. "$GH_SRCDIR/tests/lib.sh"
require_erlang
compile_helpers "$GH_SRCDIR/tests/gc_load.erl"

# packets: stream files in a trace folder
packets() { find "$1" -name 'stream_0_*' 2>/dev/null | wc -l; }

wait_packets() { # DIR N SECONDS
  local i=0
  while [ $i -lt $(($3 * 10)) ]; do
    [ "$(packets "$1")" -ge "$2" ] && return 0
    sleep 0.1; i=$((i + 1))
  done
  return 1
}

check_trace() { # TRACE WHAT
  "$BABELTRACE2" -c sink.utils.dummy "$1" >/dev/null 2>"$scratch/bt.err" ||
    { cat "$scratch/bt.err"; fail "$2: babeltrace2 cannot read the trace of the killed node"; }
  "$analyze" "$1" >"$scratch/an.out" 2>"$scratch/an.err"
  local rc=$?
  [ $rc -le 1 ] || { cat "$scratch/an.err"; fail "$2: genheap-analyze failed ($rc)"; }
  head -1 "$scratch/an.out"
  events=$(head -1 "$scratch/an.out" | awk '{print $2}')
  [ "$events" -gt 0 ] || fail "$2: no events read"
}

# ---- the recorder inside the node ----------------------------------------------
out="$scratch/traces"
"$genheap_beam" run -q -o "$out" --flush-ms 200 -- \
  "$ERL" -noshell -pa "$scratch/ebin" -run gc_load main forever 20 2000 "$scratch/os.pid" \
  >"$scratch/run.out" 2>&1 &
wrapper=$!
node_pids+=($wrapper)
wait_for "$scratch/run.out" "gc_load running" 120 || { cat "$scratch/run.out"; fail "the load did not start"; }
node_pids+=("$(cat "$scratch/os.pid")")
wait_packets "$out" 5 120 || fail "no packets written"
kill -9 "$(cat "$scratch/os.pid")"
wait $wrapper
n=$(packets "$out")
trace=$(find "$out" -name metadata -printf '%h\n' | head -1)
check_trace "$trace" "in-node recorder"
in_node="$events events in $n packets"

# ---- the recorder streaming to genheap-beam record --------------------------------
node="load_$uniq"
"$ERL" -noshell -sname "$node" -setcookie "$cookie" -pa "$scratch/ebin" \
  -run gc_load main forever 20 2000 "$scratch/os2.pid" >"$scratch/node.out" 2>&1 &
node_pids+=($!)
wait_for "$scratch/node.out" "gc_load running" 120 || { cat "$scratch/node.out"; fail "the node did not start"; }
trace2="$scratch/trace2"
"$genheap_beam" record -q --node "$node" --cookie "$cookie" -o "$trace2" \
  --seconds 600 --flush-ms 200 >"$scratch/rec.out" 2>"$scratch/rec.err" &
rec=$!
wait_packets "$trace2" 5 120 || { cat "$scratch/rec.err"; fail "no packets arrived"; }
kill -9 "$(cat "$scratch/os2.pid")"
wait $rec
rc=$?
[ $rc = 1 ] || { cat "$scratch/rec.err"; fail "record exited $rc after the node died, not 1"; }
grep -q "ended early" "$scratch/rec.err" || fail "record did not say the recording ended early"
check_trace "$trace2" "remote recorder"

pass "killed nodes: in-node $in_node read back; remote $events events in $(packets "$trace2") packets read back"
