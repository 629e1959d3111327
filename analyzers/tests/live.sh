#!/bin/sh
# live.sh -- live analysis through lttng-relayd on loopback.  Two session
# daemons with different host names (the second in its own mount and UTS
# namespace, toolchain-notes.md) stream heap-scenarios runs to one relayd;
# genheap-analyze attached to both live sessions reports the bloated
# process of each host, as two processes.
. "$srcdir/tests/lib.sh"
need_lttng
[ -n "${LTTNG_RELAYD:-}" ] && [ -x "$LTTNG_RELAYD" ] || skip "lttng-relayd not installed"
[ -n "${LTTNG_SESSIOND:-}" ] && [ -x "$LTTNG_SESSIOND" ] || skip "lttng-sessiond not installed"
[ "$(id -u)" = 0 ] || skip "needs root (session daemons, namespaces)"
command -v unshare >/dev/null || skip "unshare not installed"
PROVIDER=$top_builddir/tracer/.libs/libgenheap-lttng.so
[ -f "$PROVIDER" ] || skip "probe provider not built"
PROVIDER=$(cd "$(dirname "$PROVIDER")" && pwd)/libgenheap-lttng.so
SCENARIOS=$(cd "$TESTS_BIN" && pwd)/heap-scenarios

# a root session daemon: the running one, or ours
use_sessiond

# a relayd of our own, on ports no other test uses at the same time
start_relayd 20000

# session on this host's daemon
sa=gha-live-a-$$
"$LTTNG" create "$sa" --live=100000 --set-url="net://127.0.0.1:$ctrl:$data" >/dev/null &&
  "$LTTNG" enable-event -u -s "$sa" 'genheap:*' >/dev/null &&
  "$LTTNG" add-context -u -s "$sa" -t vpid -t vtid -t procname >/dev/null &&
  "$LTTNG" start "$sa" >/dev/null || fail "cannot set up live session $sa"
destroy_a() { "$LTTNG" destroy "$sa" >/dev/null 2>&1; }
# A warm-up run (another vpid, so the checks below ignore it) gives each
# session its streams before the live reader attaches: streams that appear
# after the attach were picked up late, and host b's first processes were
# missing from its analysis (1 run in 3 here).
LTTNG_UST_REGISTER_TIMEOUT=-1 LD_PRELOAD="$PROVIDER" "$SCENARIOS" 0 >/dev/null ||
  fail "warm-up run failed"
cleanup_hooks="destroy_a $cleanup_hooks"

# the second host: its own daemon in a namespace; it waits for $work/go,
# runs the program, ends its session and stops its daemon
sb=gha-live-b-$$
unshare --mount --uts --fork sh -c '
  set -e
  mount -t tmpfs tmpfs /var/run/lttng
  hostname gha-hostb
  export LTTNG_HOME="$1/lttng-b"; mkdir -p "$LTTNG_HOME"
  "$2" --daemonize
  trap "kill \$(cat /var/run/lttng/lttng-sessiond.pid)" EXIT
  lttng create "$3" --live=100000 --set-url="net://127.0.0.1:$4:$5" >/dev/null
  lttng enable-event -u -s "$3" "genheap:*" >/dev/null
  lttng add-context -u -s "$3" -t vpid -t vtid -t procname >/dev/null
  lttng start "$3" >/dev/null
  LTTNG_UST_REGISTER_TIMEOUT=-1 LD_PRELOAD="$6" "$7" 0 >/dev/null
  touch "$1/b-ready"
  while [ ! -e "$1/go" ]; do sleep 0.1; done
  LTTNG_UST_REGISTER_TIMEOUT=-1 LD_PRELOAD="$6" "$7" 1500 >"$1/prog-b.out"
  lttng stop "$3" >/dev/null
  lttng destroy "$3" >/dev/null
' sh "$work" "$LTTNG_SESSIOND" "$sb" "$ctrl" "$data" "$PROVIDER" "$SCENARIOS" \
  >"$work/hostb.log" 2>&1 &
hostb_pid=$!
while [ ! -e "$work/b-ready" ]; do
  kill -0 "$hostb_pid" 2>/dev/null || { cat "$work/hostb.log" >&2; fail "host b failed"; }
  sleep 0.1
done

hosta=$(hostname)
"$ANALYZE" --format=json \
  "net://127.0.0.1:$livep/host/$hosta/$sa" \
  "net://127.0.0.1:$livep/host/gha-hostb/$sb" >"$work/live.json" 2>"$work/live.err" &
analyzer_pid=$!
sleep 1 # let it attach; it would also read the data already streamed

touch "$work/go"
# Both programs wait until registered with their daemon: by default LTTng-UST
# runs them after 3 s anyway and their start-up burst would go unrecorded.
LTTNG_UST_REGISTER_TIMEOUT=-1 LD_PRELOAD="$PROVIDER" "$SCENARIOS" 1500 >"$work/prog.out" ||
  fail "heap-scenarios failed"
"$LTTNG" stop "$sa" >/dev/null
"$LTTNG" destroy "$sa" >/dev/null
wait "$hostb_pid" || { cat "$work/hostb.log" >&2; fail "host b run failed"; }

# both sessions are destroyed: the live reader ends on its own
wait "$analyzer_pid"
status=$?
[ "$status" = 1 ] || { cat "$work/live.err" >&2; fail "live analyzer exited $status, want 1"; }
"$FLATTEN" <"$work/live.json" >"$work/flat" || fail "live JSON does not parse"
grep -qx "checks none" "$work/flat" || fail "a live session's report claims input checks"

vpid_a=$(vpid_of bloated)
cp "$work/prog.out" "$work/prog-a.out"
cp "$work/prog-b.out" "$work/prog.out"
vpid_b=$(vpid_of bloated)
grep -q "^finding bloat warning $hosta $vpid_a 1 bloated " "$work/flat" ||
  fail "host a's bloated process not reported live: $(cat "$work/flat")"
grep -q "^finding bloat warning gha-hostb $vpid_b 1 bloated " "$work/flat" ||
  fail "host b's bloated process not reported live: $(grep gha-hostb "$work/flat" | tr '\n' ';') $(tr '\n' ' ' <"$work/live.err")"
# kept apart: each host has its own processes, as many as its program ran
# (one "stats" line each)
want_a=$(grep -c '^stats ' "$work/prog-a.out") want_b=$(grep -c '^stats ' "$work/prog-b.out")
[ "$(grep -c "^proc $hosta $vpid_a " "$work/flat")" = "$want_a" ] || fail "host a processes"
[ "$(grep -c "^proc gha-hostb $vpid_b " "$work/flat")" = "$want_b" ] || fail "host b processes"
held_b=$(awk -v v="$vpid_b" '$1 == "finding" && $2 == "bloat" && $4 == "gha-hostb" && $5 == v {print $8}' "$work/flat")
[ "$held_b" = "$(stat_of bloated old_heap_size)" ] || fail "host b held words"
note "live: $(grep -c '^finding bloat' "$work/flat") bloat findings from 2 hosts"
