#!/bin/sh
# trace-counts.sh -- a real trace agrees with the library's own counters.
#
# Records tests/tp-workload with genheap-trace (real daemon, real session),
# decodes the trace with babeltrace2 and lets trace-check.py compare event
# counts and the last GC-info figures of each process with what the program
# printed from gh_proc_info().
. "$GH_SRCDIR/tests/lib.sh"
require_lttng

out="$scratch/trace"
"$recorder" -q --session "$(session_name counts)" -o "$out" -- \
  "$workload" --rounds 300 >"$scratch/stdout" 2>"$scratch/stderr"
status=$?
[ "$status" -eq 0 ] || fail "genheap-trace exited $status: $(cat "$scratch/stderr")"
[ ! -s "$scratch/stderr" ] || fail "genheap-trace -q wrote to stderr: $(head -n 3 "$scratch/stderr")"
[ "$(tail -n 1 "$scratch/stdout")" = "$out" ] ||
  fail "last stdout line is '$(tail -n 1 "$scratch/stdout")', not the trace directory $out"

"$BABELTRACE2" "$out" >"$scratch/trace.txt" 2>"$scratch/bt2.err" ||
  fail "babeltrace2 could not read $out: $(head -n 3 "$scratch/bt2.err")"
if grep -qi 'discarded' "$scratch/bt2.err"; then
  fail "the tracer discarded events, counts cannot match: $(grep -i -m1 discarded "$scratch/bt2.err")"
fi
python3 "$GH_SRCDIR/tests/trace-check.py" "$scratch/trace.txt" "$scratch/stdout" ||
  fail "trace and gh_proc_info disagree (see above)"
pass "$(wc -l <"$scratch/trace.txt") events decoded"
