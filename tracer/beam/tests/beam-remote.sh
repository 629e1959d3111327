#!/bin/bash
# beam-remote.sh -- genheap-beam record: a node that knows nothing of
# genheap (no recorder on its code path) runs the seed scenario; the
# command attaches through Erlang distribution, records it for a few
# seconds with --sweep, and leaves the node as it was.  The attach-time
# snapshot finds the bloated server at once (it was already idle).  First
# without --sweep: suspicions only (info), nothing measured; then with it:
# the end sweep measures the garbage (and frees it); the hibernated server
# is clean.
. "$GH_SRCDIR/tests/lib.sh"
require_erlang
compile_helpers "$GH_SRCDIR/tests/genheap_seed.erl"

node="seed_$uniq"
# the node gets only the seed's code path: the recorder comes over the wire
"$ERL" -noshell -sname "$node" -setcookie "$cookie" -pa "$scratch/ebin" \
  -run genheap_seed main wait bloat hibernating router quiet \
  >"$scratch/node.out" 2>&1 &
node_pids+=($!)
wait_for "$scratch/node.out" "seed ready" 120 || { cat "$scratch/node.out"; fail "the seed node did not start"; }

# ---- bad input first: a wrong cookie is an error, not a hang --------------------
run_timeout 120 "$genheap_beam" record --node "$node" --cookie wrong_cookie \
  -o "$scratch/nope" --seconds 1 >/dev/null 2>"$scratch/nope.err"
rc=$?
[ $rc = 3 ] || { cat "$scratch/nope.err"; fail "a wrong cookie gave exit $rc, not 3"; }

# ---- without --sweep first: nothing measured, so suspicions only ----------------
trace2="$scratch/trace2"
run_timeout 300 "$genheap_beam" record -q --node "$node" --cookie "$cookie" \
  -o "$trace2" --seconds 2 >/dev/null 2>"$scratch/rec2.err" ||
  { cat "$scratch/rec2.err"; fail "genheap-beam record (no sweep) failed"; }
analyze_json "$trace2" "$scratch/report2.json"
findings "$scratch/report2.json" | tee "$scratch/findings2.txt"
[ -z "$(findings "$scratch/report2.json" | awk '$1 == "warning"')" ] ||
  fail "a warning without any measurement"
[ -n "$(finding_for "$scratch/report2.json" info bloat seed_bloat)" ] ||
  fail "seed_bloat is not even suspected without the sweep"


# ---- chosen processes only (--procs) ----------------------------------------------
trace3="$scratch/trace3"
run_timeout 300 "$genheap_beam" record -q --node "$node" --cookie "$cookie" \
  -o "$trace3" --seconds 1 --procs seed_quiet,seed_hibernating >/dev/null 2>"$scratch/rec3.err" ||
  { cat "$scratch/rec3.err"; fail "genheap-beam record --procs failed"; }
analyze_json "$trace3" "$scratch/report3.json"
names=$(python3 -c 'import json, sys
print(" ".join(sorted(p["name"].split(" ", 1)[1] for p in json.load(open(sys.argv[1]))["processes"])))' \
  "$scratch/report3.json")
[ "$names" = "seed_hibernating seed_quiet" ] || fail "--procs recorded: $names"

# ---- then with the end sweep (which frees the garbage it measures) -----------------
trace="$scratch/trace"
run_timeout 300 "$genheap_beam" record --node "$node" --cookie "$cookie" \
  -o "$trace" --seconds 3 --sweep >"$scratch/rec.out" 2>"$scratch/rec.err" ||
  { cat "$scratch/rec.err"; fail "genheap-beam record failed"; }
cat "$scratch/rec.err"
[ "$(cat "$scratch/rec.out")" = "$trace" ] || fail "record did not print the trace folder"
grep -q "end sweep of <[0-9.]*> seed_bloat" "$scratch/rec.err" || fail "no end sweep of seed_bloat reported"

"$BABELTRACE2" -c sink.utils.dummy "$trace" >/dev/null 2>"$scratch/bt.err" ||
  { cat "$scratch/bt.err"; fail "babeltrace2 cannot read the trace"; }
analyze_json "$trace" "$scratch/report.json"
findings "$scratch/report.json" | tee "$scratch/findings.txt"
bloat=$(finding_for "$scratch/report.json" warning bloat seed_bloat)
[ -n "$bloat" ] || fail "seed_bloat is not flagged"
set -- $bloat
[ "$4" = recorder_sweep ] || fail "seed_bloat's evidence is $4"
[ "$5" -ge 360000 ] || fail "seed_bloat's measured waste is $5 words"
[ -n "$(finding_for "$scratch/report.json" warning binleak seed_router)" ] ||
  fail "seed_router is not flagged"
findings "$scratch/report.json" | grep -q seed_hibernating && fail "seed_hibernating is flagged"

# the node is as it was: recorder unloaded, still running
probe() {
  "$ERL" -noshell -hidden -sname "probe_$uniq" -dist_listen false -start_epmd false \
    -setcookie "$cookie" -eval "
      N = '$node@$host',
      R = rpc:call(N, code, is_loaded, [genheap_beam_tracer]),
      T = rpc:call(N, erlang, whereis, [genheap_beam_tracer]),
      io:format(\"~p ~p~n\", [R, T]), halt()."
}
state=$(probe)
[ "$state" = "false undefined" ] || fail "the node still has the recorder: $state"

pass "remote recording: seed_bloat $5 words measured, node left clean; without --sweep, an info suspicion"
