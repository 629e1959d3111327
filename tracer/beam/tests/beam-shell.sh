#!/bin/bash
# beam-shell.sh -- the recorder started from the node's own code
# (genheap_beam:start/2, stop/0) around the seed scenario in Erlang: the
# trace is valid CTF in genheap's schema, and genheap-analyze warns about
# the bloated gen_server and the binary-holding router with measured waste
# (the recorder's end sweep), and about nothing else: not the server that
# hibernates after 200 ms, not the small quiet one.
. "$GH_SRCDIR/tests/lib.sh"
require_erlang
compile_helpers "$GH_SRCDIR/tests/genheap_seed.erl"

trace="$scratch/trace"
# 4 s of idle: the evidence needs min-idle (1 s) plus a sampling period or
# two, with room for a slow machine.
run_timeout 300 "$ERL" -noshell -pa "$ebin" -pa "$scratch/ebin" \
  -run genheap_seed main shell "$trace" 4000 bloat hibernating router quiet worker \
  >"$scratch/node.out" 2>&1 || { cat "$scratch/node.out"; fail "the seed node failed"; }
grep -q '^summary' "$scratch/node.out" || fail "no summary from genheap_beam:stop()"

# ---- the trace is CTF that babeltrace2 reads, in genheap's schema --------------
"$BABELTRACE2" -c sink.utils.dummy "$trace" >/dev/null 2>"$scratch/bt.err" ||
  { cat "$scratch/bt.err"; fail "babeltrace2 cannot read the trace"; }
"$BABELTRACE2" "$trace" >"$scratch/trace.txt" 2>/dev/null
for ev in proc_info proc_spawn gc_minor_start gc_minor_end gc_major_start \
          gc_major_end promotion hibernate proc_exit; do
  grep -q "genheap:$ev:" "$scratch/trace.txt" || fail "no genheap:$ev event"
done
grep -q 'genheap:proc_spawn: .*schema = 2' "$scratch/trace.txt" || fail "proc_spawn without schema 2"
grep -q 'vpid = [0-9]' "$scratch/trace.txt" || fail "events without vpid context"
grep -q 'genheap:hibernate: .*seed_hibernating' "$scratch/trace.txt" ||
  fail "the hibernation of seed_hibernating was not recorded"
grep -q 'genheap:gc_major_start: .*seed_bloat", need = 0, reason = 6' "$scratch/trace.txt" ||
  fail "no recorder sweep (reason 6) of seed_bloat"
for key in 'genheap_runtime = "BEAM"' 'tracer_name = "genheap-beam"' 'otp_release' 'node = ' 'hostname = '; do
  grep -q "$key" "$trace/metadata" || fail "trace environment lacks $key"
done

# ---- the findings -------------------------------------------------------------
analyze_json "$trace" "$scratch/report.json"
findings "$scratch/report.json" | tee "$scratch/findings.txt"
bloat=$(finding_for "$scratch/report.json" warning bloat seed_bloat)
[ -n "$bloat" ] || fail "seed_bloat is not flagged as bloat (warning)"
set -- $bloat
[ "$4" = recorder_sweep ] || fail "seed_bloat's evidence is '$4', not the recorder's sweep"
[ "$5" -ge 360000 ] || fail "seed_bloat's measured waste is $5 words (about 400000 expected)"
router=$(finding_for "$scratch/report.json" warning binleak seed_router)
[ -n "$router" ] || fail "seed_router is not flagged as binleak (warning)"
warned=$(findings "$scratch/report.json" | awk '$1 == "warning" {print $3}' | sort -u | tr '\n' ' ')
[ "$warned" = "seed_bloat seed_router " ] || fail "warnings for: $warned (only seed_bloat seed_router expected)"
findings "$scratch/report.json" | grep -q 'seed_hibernating' && fail "seed_hibernating is flagged"

# ---- the report says where the trace came from ----------------------------------
"$analyze" "$trace" >"$scratch/report.txt" 2>&1
grep -q 'BEAM' "$scratch/report.txt" || fail "the text report does not say BEAM"
grep -q 'hibernate_after' "$scratch/report.txt" || fail "no BEAM fix (hibernate_after) in the report"

pass "seed_bloat: $(echo "$bloat" | awk '{print $5}') words measured by the recorder's sweep; seed_router flagged; hibernating and quiet servers clean"
