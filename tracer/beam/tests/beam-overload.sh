#!/bin/bash
# beam-overload.sh -- the recorder never endangers the node: on a workload
# that collects far faster than any tracer can write (100 processes
# building and dropping 100-element lists, about 2 million GC events), the
# node finishes, its memory stays within a bound of the untraced run's, the
# events the recorder dropped are counted in the trace (genheap-analyze
# and babeltrace2 report them), and recorded plus lost events account for
# every GC.  Also: drop_starts => minor writes no gc_minor_start.
. "$GH_SRCDIR/tests/lib.sh"
require_erlang
compile_helpers "$GH_SRCDIR/tests/gc_load.erl"

load() { "$ERL" -noshell -pa "$ebin" -pa "$scratch/ebin" -run gc_load main "$@"; }

untraced=$(run_timeout 600 "$ERL" -noshell -pa "$scratch/ebin" -run gc_load main run 100 10000 100) ||
  fail "the untraced workload failed"
trace="$scratch/trace"
run_timeout 600 "$ERL" -noshell -pa "$ebin" -pa "$scratch/ebin" \
  -run gc_load main record "$trace" '#{max_queue => 5000}' 100 10000 100 >"$scratch/traced.out" 2>&1 ||
  { cat "$scratch/traced.out"; fail "the traced node did not finish its workload"; }
note "untraced: $untraced"
note "traced:   $(tr '\n' ' ' <"$scratch/traced.out")"
set -- $untraced; base_mb=$6
set -- $(head -1 "$scratch/traced.out"); gcs=$4 peak_mb=$6
set -- $(sed -n 2p "$scratch/traced.out"); events=$3 discarded=$5 sheds=$7
[ "$sheds" -gt 0 ] || fail "the recorder never shed load on this workload"
[ "$discarded" -gt 0 ] || fail "no event counted as lost"
# the tracer's queue holds at most a few max_queue of messages (< 1 KB each)
[ "$peak_mb" -le $((base_mb + 150)) ] || fail "peak memory $peak_mb MB, untraced $base_mb MB"
# every GC is a start and an end event, recorded or counted lost
[ $((events + discarded)) -ge $((gcs * 3 / 2)) ] ||
  fail "$events recorded + $discarded lost events do not account for $gcs GCs"

"$BABELTRACE2" "$trace" >/dev/null 2>"$scratch/bt.err" || { cat "$scratch/bt.err"; fail "babeltrace2 cannot read it"; }
grep -qi "discarded" "$scratch/bt.err" || fail "babeltrace2 does not report the discarded events"
"$analyze" "$trace" >"$scratch/report.txt" 2>"$scratch/report.err"
[ $? -le 1 ] || { cat "$scratch/report.err"; fail "genheap-analyze failed"; }
grep -q "events LOST" "$scratch/report.txt" || fail "genheap-analyze does not report the lost events"

# drop_starts: fewer events, still a trace the analyzer reads
trace2="$scratch/trace2"
run_timeout 600 "$ERL" -noshell -pa "$ebin" -pa "$scratch/ebin" \
  -run gc_load main record "$trace2" '#{drop_starts => minor}' 20 200 2000 >/dev/null 2>&1 ||
  fail "the drop_starts recording failed"
"$BABELTRACE2" "$trace2" 2>/dev/null >"$scratch/t2.txt"
grep -q "genheap:gc_minor_start:" "$scratch/t2.txt" && fail "drop_starts => minor wrote gc_minor_start events"
grep -q "genheap:gc_minor_end:" "$scratch/t2.txt" || fail "no gc_minor_end events"
"$analyze" "$trace2" >/dev/null 2>&1
[ $? -le 1 ] || fail "genheap-analyze cannot read a trace without minor starts"

pass "overload: $gcs GCs, $events events recorded, $discarded counted lost, $sheds sheds; peak $peak_mb MB (untraced $base_mb MB)"
