#!/bin/sh
# live-attach.sh -- when a live reader attaches late, as documented in
# genheap-analyze(1), LIVE SESSIONS: babeltrace2's lttng-live starts at the
# relay daemon's newest packet, so a program whose events reached the relay
# daemon before the attach is not seen, one that runs after it is; SIGINT
# ends a live read with the report of what was seen; a read that ends with
# nothing seen says why instead of "no genheap events in the trace".
# A real lttng-relayd on ports of its own.
. "$srcdir/tests/lib.sh"
need_lttng
[ -n "${LTTNG_RELAYD:-}" ] && [ -x "$LTTNG_RELAYD" ] || skip "lttng-relayd not installed"
[ -n "${LTTNG_SESSIOND:-}" ] && [ -x "$LTTNG_SESSIOND" ] || skip "lttng-sessiond not installed"
PROVIDER=$top_builddir/tracer/.libs/libgenheap-lttng.so
[ -f "$PROVIDER" ] || skip "probe provider not built"
PROVIDER=$(cd "$(dirname "$PROVIDER")" && pwd)/libgenheap-lttng.so
SCENARIOS=$(cd "$TESTS_BIN" && pwd)/heap-scenarios

# a root session daemon: the running one, or ours
use_sessiond

# a relayd of our own, on ports away from live.sh's
start_relayd 40000

# The sessions record every program with the probes loaded, and other test
# runs may share this machine's session daemon: only our own copy of
# heap-scenarios, by its process name, so that "nothing seen" means it.
prog=ghatt$$
cp "$SCENARIOS" "$work/$prog" || fail "cannot copy heap-scenarios"

# live_session NAME: a live session recording our program's genheap events
# (live timer 0.1 s), destroyed at the end; its reader URL in $url
live_session() {
  "$LTTNG" create "$1" --live=100000 --set-url="net://127.0.0.1:$ctrl:$data" >/dev/null &&
    "$LTTNG" enable-event -u -s "$1" 'genheap:*' \
      --filter "\$ctx.procname == \"$prog\"" >/dev/null &&
    "$LTTNG" add-context -u -s "$1" -t vpid -t vtid -t procname >/dev/null &&
    "$LTTNG" start "$1" >/dev/null || fail "cannot set up live session $1"
  sessions="$sessions $1"
  url="net://127.0.0.1:$livep/host/$(hostname)/$1"
}
sessions=
destroy() { for s in $sessions; do "$LTTNG" destroy "$s" >/dev/null 2>&1; done; }
cleanup_hooks="destroy $cleanup_hooks"
scenario() { # OUT: one heap-scenarios run, registered before it starts
  LTTNG_UST_REGISTER_TIMEOUT=-1 LD_PRELOAD="$PROVIDER" "$work/$prog" 300 >"$1" ||
    fail "heap-scenarios failed"
}

# a run before the attach (recorded and sent to the relay daemon), one after
live_session "gha-attach-$$"
scenario "$work/before.out"
sleep 2
"$ANALYZE" --format=json "$url" >"$work/live.json" 2>"$work/live.err" &
analyzer=$!
sleep 2 # attached
scenario "$work/after.out"
sleep 3 # sent and read
kill -INT "$analyzer"
wait "$analyzer"
status=$?
[ "$status" = 0 ] || [ "$status" = 1 ] ||
  fail "SIGINT on a live read: exit $status, want a report: $(cat "$work/live.err")"
"$FLATTEN" <"$work/live.json" >"$work/flat" || fail "live JSON report does not parse"
cp "$work/before.out" "$work/prog.out" && before=$(vpid_of bloated)
cp "$work/after.out" "$work/prog.out" && after=$(vpid_of bloated)
[ "$(grep -c "^proc [^ ]* $after " "$work/flat")" = "$(grep -c '^stats ' "$work/after.out")" ] ||
  fail "the run after the attach is not reported: $(cat "$work/flat")"
! grep -q "^proc [^ ]* $before " "$work/flat" ||
  fail "the run before the attach was seen: update LIVE SESSIONS in genheap-analyze(1)"

# only a run before the attach: the session ends with nothing seen, and the
# error says why (a session of its own, with nothing of the above to read)
live_session "gha-attach2-$$"
scenario "$work/before2.out"
sleep 2
"$ANALYZE" "$url" >"$work/out" 2>"$work/err" &
analyzer=$!
sleep 2
"$LTTNG" stop "gha-attach2-$$" >/dev/null
"$LTTNG" destroy "gha-attach2-$$" >/dev/null
wait "$analyzer"
status=$?
[ "$status" = 2 ] || fail "empty live read: exit $status, want 2: $(cat "$work/err")"
expect_one_line_error "$url" "no genheap events arrived while attached"
note "live attach: run after the attach reported, run before it not (as documented)"
