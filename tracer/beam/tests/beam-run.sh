#!/bin/bash
# beam-run.sh -- genheap-beam run: an Erlang program's node records from its
# boot (ERL_AFLAGS) in CI mode: idle sweeps after 2 s of quiet, an end
# sweep when the node stops with init:stop/0.  The seed's bloated server is
# measured by the idle sweep while the program still runs; the router too;
# the short-lived worker that did the same burst is not flagged.  The trace
# lasts until the node stopped, and the program's exit status comes back.
. "$GH_SRCDIR/tests/lib.sh"
require_erlang
compile_helpers "$GH_SRCDIR/tests/genheap_seed.erl"

out="$scratch/traces"
run_timeout 300 "$genheap_beam" run -o "$out" -- \
  "$ERL" -noshell -pa "$scratch/ebin" \
  -run genheap_seed main serve 5000 bloat hibernating router quiet worker \
  >"$scratch/run.out" 2>"$scratch/run.err"
rc=$?
[ $rc = 0 ] || { cat "$scratch/run.err"; fail "genheap-beam run exited $rc"; }
grep -q "seed done" "$scratch/run.out" || fail "the program did not run to its end"
trace=$(grep "^$out/" "$scratch/run.out" | head -1)
[ -n "$trace" ] && [ -f "$trace/metadata" ] || { cat "$scratch/run.out"; fail "run did not print the trace folder"; }

"$BABELTRACE2" -c sink.utils.dummy "$trace" >/dev/null 2>"$scratch/bt.err" ||
  { cat "$scratch/bt.err"; fail "babeltrace2 cannot read the trace"; }
# recorded from the boot: the program's own processes were spawned in it
"$BABELTRACE2" "$trace" 2>/dev/null | grep -q 'genheap:proc_spawn: .*seed_bloat' ||
  fail "seed_bloat's spawn is not in the trace"

analyze_json "$trace" "$scratch/report.json"
findings "$scratch/report.json" | tee "$scratch/findings.txt"
bloat=$(finding_for "$scratch/report.json" warning bloat seed_bloat)
[ -n "$bloat" ] || fail "seed_bloat is not flagged"
set -- $bloat
[ "$4" = recorder_sweep ] || fail "seed_bloat's evidence is $4"
[ "$5" -ge 360000 ] || fail "seed_bloat's measured waste is $5 words"
[ -n "$(finding_for "$scratch/report.json" warning binleak seed_router)" ] ||
  fail "seed_router is not flagged"
warned=$(findings "$scratch/report.json" | awk '$1 == "warning" {print $3}' | sort -u | tr '\n' ' ')
[ "$warned" = "seed_bloat seed_router " ] || fail "warnings for: $warned"

# the program's status comes back
run_timeout 120 "$genheap_beam" run -q -o "$scratch/traces2" -- \
  "$ERL" -noshell -eval 'halt(7).' >/dev/null 2>&1
rc=$?
[ $rc = 7 ] || fail "run exited $rc, the program 7"

pass "wrapper: seed_bloat $5 words measured by an idle sweep; router flagged; worker clean"
