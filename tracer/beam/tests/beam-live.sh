#!/bin/bash
# beam-live.sh -- the live view: a trace that is still being recorded is
# readable (the recorder writes whole packets, each a file of its own), so
# genheap-analyze run again while the node runs shows the current
# findings; with idle sweeps on, the bloated server's measured warning
# appears before the recording ends.  genheap-beam watch prints it too.
. "$GH_SRCDIR/tests/lib.sh"
require_erlang
compile_helpers "$GH_SRCDIR/tests/genheap_seed.erl"

out="$scratch/traces"
# the program idles for 10 minutes: the test ends it
"$genheap_beam" run -q -o "$out" --idle-sweep 1500 -- \
  "$ERL" -noshell -pa "$scratch/ebin" -eval "
    file:write_file(\"$scratch/os.pid\", os:getpid()),
    genheap_seed:main([\"serve\", \"600000\", \"bloat\", \"quiet\"])." \
  >"$scratch/run.out" 2>&1 &
node_pids+=($!)
wait_for "$scratch/run.out" "seed started" 120 || { cat "$scratch/run.out"; fail "the node did not start"; }
node_pids+=("$(cat "$scratch/os.pid")")

trace=
seen=no
for _ in $(seq 1 240); do
  [ -z "$trace" ] && trace=$(find "$out" -name metadata -printf '%h\n' 2>/dev/null | head -1)
  if [ -n "$trace" ]; then
    # Before the first packet is flushed the trace is not readable yet
    # (exit 2, no report): only a report is searched.
    rc=0
    "$analyze" --format json "$trace" >"$scratch/live.json" 2>/dev/null || rc=$?
    if [ $rc -le 1 ] && [ -n "$(finding_for "$scratch/live.json" warning bloat seed_bloat)" ]; then
      seen=yes
      break
    fi
  fi
  sleep 0.5
done
[ $seen = yes ] || fail "no warning for seed_bloat while the node runs"
kill -0 "$(cat "$scratch/os.pid")" 2>/dev/null || fail "the node is not running any more"
finding_for "$scratch/live.json" warning bloat seed_bloat

"$genheap_beam" watch --count 1 "$trace" >"$scratch/watch.out" 2>&1
cat "$scratch/watch.out"
grep -q "warning bloat .*seed_bloat" "$scratch/watch.out" || fail "watch does not show the finding"
pass "live: seed_bloat's measured warning read from the trace while the node runs"
