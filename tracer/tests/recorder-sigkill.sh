#!/bin/sh
# recorder-sigkill.sh -- a recorder killed with SIGKILL leaves no session.
#
# SIGKILL skips every trap: the LTTng session stayed active (recording
# whatever this user's programs fired, for ever) and the output folder
# stayed locked.  The recorder's watchdog, in a session of its own, sees
# the recorder's end of a pipe close and cleans up: destroys the session
# (which keeps the trace), releases the folder.  Twice: the recorder alone
# is killed (the command goes on, unrecorded), and its whole process group
# is, as `timeout -s KILL` does.
. "$GH_SRCDIR/tests/lib.sh"
require_lttng
sigload="$GH_BUILDDIR/tests/signal-workload"

sessions='' cmds=''
clean_up() { # a failed run must not leave its session or workload behind
  for s in $sessions; do "$LTTNG" destroy "$s" >/dev/null 2>&1; done
  for c in $cmds; do kill -KILL "$c" 2>/dev/null; done
  cleanup_scratch
}
trap clean_up EXIT

# The watchdog destroys the session, then releases the folder.
cleaned_up() {
  ! "$LTTNG" list 2>/dev/null | grep -qF -- "$session " &&
    [ ! -e "$scratch/$name/.genheap-trace.lock" ]
}

# kill_run NAME TARGET: records signal-workload (in a process group of its
# own, led by the recorder), SIGKILLs TARGET (pid or -group) once the
# workload waits, and checks the clean-up.
kill_run() {
  name=$1
  session=$(session_name "$name")
  sessions="$sessions $session"
  setsid "$recorder" -q --session "$session" -o "$scratch/$name" -- \
    "$sigload" "$scratch/$name.ready" "$scratch/$name.log" \
    >"$scratch/$name.out" 2>"$scratch/$name.err" </dev/null &
  rec=$!
  wait_for "$scratch/$name.ready" || fail "$name: the workload never got ready: $(cat "$scratch/$name.err")"
  cmd=$(cat "$scratch/$name.ready")
  cmds="$cmds $cmd"
  "$LTTNG" list 2>/dev/null | grep -qF -- "$session " || fail "$name: no session $session while recording"
  if [ "$2" = group ]; then kill -KILL "-$rec"; else kill -KILL "$rec"; fi
  wait "$rec"
  status=$?
  [ "$status" -eq 137 ] || fail "$name: the recorder was not killed by SIGKILL (status $status)"
  if ! wait_until cleaned_up; then
    [ ! -e "$scratch/$name/.genheap-trace.lock" ] || fail "$name: the output folder is still locked"
    fail "$name: session $session still exists after SIGKILL of the recorder"
  fi
  "$BABELTRACE2" "$scratch/$name" >"$scratch/$name.txt" 2>"$scratch/$name.bt2" ||
    fail "$name: babeltrace2 cannot read the trace: $(head -n 2 "$scratch/$name.bt2")"
  grep 'genheap:proc_spawn:' "$scratch/$name.txt" | grep "vpid = $cmd," | grep -q 'name = "waiter"' ||
    fail "$name: the trace lost the workload's proc_spawn (vpid $cmd)"
}

kill_run recorder pid
kill -0 "$cmd" 2>/dev/null || fail "recorder: the command did not survive the recorder"
kill -TERM "$cmd"
kill_run group group
pass "session destroyed and folder released after SIGKILL"
