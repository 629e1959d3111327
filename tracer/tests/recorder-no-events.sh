#!/bin/sh
# recorder-no-events.sh -- an empty trace is reported, the status is kept.
#
# A command that is not linked with libgenheap used to give exit 0, an
# empty trace and not a word.  Now it must warn on stderr and say what to
# check, while still exiting with the command's status (3 here); a genheap
# program must not get the warning.
#
# The session records every process of this user that has the probes
# loaded, so another genheap program traced at the same time by someone
# else can put events into our "empty" trace.  Then the warning must rightly
# be absent; the test tries again, and skips if that keeps happening.
. "$GH_SRCDIR/tests/lib.sh"
require_lttng

# record NAME COMMAND...: exit status in $status, stderr in $scratch/err,
# and whether the trace holds any event at all in $has_events.
record() {
  name=$1
  shift
  "$recorder" --session "$(session_name "$name")" -o "$scratch/$name" -- "$@" \
    >"$scratch/out" 2>"$scratch/err" </dev/null
  status=$?
  "$BABELTRACE2" "$scratch/$name" >"$scratch/$name.txt" 2>/dev/null
  if [ -s "$scratch/$name.txt" ]; then has_events=yes; else has_events=no; fi
}

# Streams are created (the probes are preloaded into sh) but hold no event.
tries=0
while :; do
  tries=$((tries + 1))
  record "empty$tries" sh -c 'exit 3'
  [ "$status" -eq 3 ] || fail "a non-genheap command exiting 3: genheap-trace exited $status ($(cat "$scratch/err"))"
  [ "$has_events" = yes ] || break
  grep -q 'no genheap event' "$scratch/err" &&
    fail "warned about an empty trace that holds $(wc -l <"$scratch/empty$tries.txt") events"
  [ "$tries" -lt 3 ] || skip "other genheap programs kept writing into our sessions"
done
grep -q 'warning: no genheap event was recorded' "$scratch/err" ||
  fail "no warning for an empty trace: '$(cat "$scratch/err")'"
grep -q 'libgenheap' "$scratch/err" || fail "the warning does not mention libgenheap: $(cat "$scratch/err")"
[ "$(tail -n 1 "$scratch/out")" = "$scratch/empty$tries" ] ||
  fail "the trace directory was not printed: '$(cat "$scratch/out")'"

record linked "$workload" --rounds 1
[ "$status" -eq 0 ] || fail "tp-workload: genheap-trace exited $status ($(cat "$scratch/err"))"
if grep -q 'no genheap event' "$scratch/err"; then
  fail "warned although tp-workload was recorded: $(cat "$scratch/err")"
fi
pass "an empty trace is reported, the command's status is kept"
