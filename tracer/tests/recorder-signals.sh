#!/bin/sh
# recorder-signals.sh -- SIGTERM, SIGHUP and SIGINT reach the command; the
# trace is kept.
#
# genheap-trace used to note these signals and wait for the command, which
# never heard of them.  Now a signal sent to the recorder is forwarded to
# the command, the session is stopped and destroyed as usual, the trace
# directory printed, and the status is 128 + N when the command died of the
# signal, else the command's own (signal-workload exits 3 on SIGHUP).  A ^C
# typed at a terminal reaches the command directly (same foreground process
# group): the recorder must not send it a second SIGINT.
#
# The runs without a terminal use setsid, so that they have none even when
# the tests are started from one, and env --default-signal=INT: a job started
# with & by a script has SIGINT ignored, which a shell cannot undo.
. "$GH_SRCDIR/tests/lib.sh"
require_lttng
sigload="$GH_BUILDDIR/tests/signal-workload"

sessions=
destroy_sessions() { # a failed run must not leave its session behind
  for s in $sessions; do "$LTTNG" destroy "$s" >/dev/null 2>&1; done
  cleanup_scratch
}
trap destroy_sessions EXIT

# signal_run NAME SIGNAL [WORKLOAD-OPTION]: record signal-workload in the
# background, send SIGNAL to the recorder once the workload waits; sets
# $status, $rec (recorder pid), $cmd (workload pid), $log (what it got).
signal_run() {
  name=$1 sig=$2
  shift 2
  session=$(session_name "$name")
  sessions="$sessions $session"
  env --default-signal=INT setsid "$recorder" -q --session "$session" -o "$scratch/$name" -- \
    "$sigload" "$scratch/$name.ready" "$scratch/$name.log" "$@" \
    >"$scratch/$name.out" 2>"$scratch/$name.err" </dev/null &
  rec=$!
  wait_for "$scratch/$name.ready" || fail "$name: the workload never got ready: $(cat "$scratch/$name.err")"
  cmd=$(cat "$scratch/$name.ready")
  kill -"$sig" "$rec"
  wait "$rec"
  status=$?
  log=$(cat "$scratch/$name.log" 2>/dev/null)
}

# trace_kept NAME: the trace is there, readable, with the workload's events,
# and the session is gone.
trace_kept() {
  [ "$(tail -n 1 "$scratch/$1.out")" = "$scratch/$1" ] ||
    fail "$1: the trace directory was not printed: '$(cat "$scratch/$1.out")'"
  "$BABELTRACE2" "$scratch/$1" >"$scratch/$1.txt" 2>"$scratch/$1.bt2" ||
    fail "$1: babeltrace2 cannot read the trace: $(head -n 2 "$scratch/$1.bt2")"
  grep 'genheap:proc_spawn:' "$scratch/$1.txt" | grep "vpid = $cmd," | grep -q 'name = "waiter"' ||
    fail "$1: the trace has no proc_spawn of the workload (vpid $cmd)"
  if "$LTTNG" list 2>/dev/null | grep -q "$session"; then
    fail "$1: session $session is still there"
  fi
}

signal_run term TERM
[ "$log" = "TERM from pid $rec" ] || fail "term: the command got '$log', not SIGTERM from the recorder ($rec)"
[ "$status" -eq 143 ] || fail "term: exit $status, expected 143 (the command died of SIGTERM)"
trace_kept term

signal_run hup HUP
[ "$log" = "HUP from pid $rec" ] || fail "hup: the command got '$log', not SIGHUP from the recorder ($rec)"
[ "$status" -eq 3 ] || fail "hup: exit $status, expected the command's own status 3"
trace_kept hup

signal_run int INT
[ "$log" = "INT from pid $rec" ] || fail "int: the command got '$log', not SIGINT from the recorder ($rec)"
[ "$status" -eq 130 ] || fail "int: exit $status, expected 130 (the command died of SIGINT)"
trace_kept int

# ^C at a terminal: the command ignores it (--ignore-int), so the recorder's
# progress line says it has seen the interrupt before it is stopped with
# SIGTERM; by then any second SIGINT it sent would be in the log.
session=$(session_name tty)
sessions="$sessions $session"
python3 "$GH_SRCDIR/tests/tty-interrupt.py" "$scratch/tty.ready" \
  "SIGINT from the terminal" \
  "$recorder" --session "$session" -o "$scratch/tty" -- \
  "$sigload" "$scratch/tty.ready" "$scratch/tty.log" --ignore-int \
  >"$scratch/tty.out" 2>&1 </dev/null ||
  fail "tty: $(cat "$scratch/tty.out")"
rec=$(sed -n 's/^tty-interrupt: pid \([0-9]*\) .*/\1/p' "$scratch/tty.out")
status=$(sed -n 's/^tty-interrupt: .* status \([0-9]*\)$/\1/p' "$scratch/tty.out")
want=$(printf 'INT from kernel\nTERM from pid %s' "$rec")
[ "$(cat "$scratch/tty.log")" = "$want" ] ||
  fail "tty: the command got '$(tr '\n' ';' <"$scratch/tty.log")', expected one ^C, then SIGTERM from $rec"
[ "$status" = 143 ] || fail "tty: exit $status, expected 143"
tr -d '\r' <"$scratch/tty.out" | grep -qx "$scratch/tty" ||
  fail "tty: the trace directory was not printed: $(tail -n 3 "$scratch/tty.out")"
pass "signals forwarded once, trace kept, conventional statuses"
