#!/bin/sh
# recorder-live.sh -- genheap-trace --live streams a real trace to lttng-relayd.
#
# Starts a private lttng-relayd (ports derived from our pid, so concurrent
# runs do not collide; stopped by its pid at the end), records tp-workload
# with --live, and checks that the relay daemon filed the workload's events
# under this host's name and that the printed URL is the live reader's.
. "$GH_SRCDIR/tests/lib.sh"
require_lttng
relayd=$(command -v lttng-relayd) || skip "lttng-relayd is not installed"

relayd_pid=
stop_relayd() {
  if [ -n "$relayd_pid" ]; then
    kill "$relayd_pid" 2>/dev/null
    wait "$relayd_pid" 2>/dev/null
  fi
  cleanup_scratch
}
trap stop_relayd EXIT

# Three ports from a per-run base; a second try if another run holds them.
for attempt in 1 2 3; do
  base=$((20000 + ($$ * 7 + attempt * 331) % 30000))
  "$relayd" -C "tcp://127.0.0.1:$base" -D "tcp://127.0.0.1:$((base + 1))" \
    -L "tcp://127.0.0.1:$((base + 2))" -o "$scratch/relay" \
    >"$scratch/relayd.log" 2>&1 &
  relayd_pid=$!
  sleep 1
  kill -0 "$relayd_pid" 2>/dev/null && break
  relayd_pid=
done
[ -n "$relayd_pid" ] || fail "lttng-relayd would not start: $(tail -n 1 "$scratch/relayd.log")"

session=$(session_name live)
"$recorder" -q --live "net://127.0.0.1:$base:$((base + 1))" --session "$session" -- \
  "$workload" --rounds 30 >"$scratch/out" 2>"$scratch/err" ||
  fail "genheap-trace --live failed: $(head -n 2 "$scratch/err")"
want="net://127.0.0.1/host/$(uname -n)/$session"
[ "$(tail -n 1 "$scratch/out")" = "$want" ] ||
  fail "printed '$(tail -n 1 "$scratch/out")', expected the live URL $want"

pid=$(sed -n 's/^workload os_pid=\([0-9]*\).*/\1/p' "$scratch/out")
"$BABELTRACE2" "$scratch/relay/$(uname -n)" >"$scratch/trace.txt" 2>"$scratch/bt2.err" ||
  fail "babeltrace2 cannot read the relayed trace: $(head -n 2 "$scratch/bt2.err")"
n=$(grep -c "vpid = $pid," "$scratch/trace.txt")
exits=$(grep "vpid = $pid," "$scratch/trace.txt" | grep -c 'genheap:proc_exit:')
[ "$exits" -eq 4 ] || fail "relayed trace has $exits proc_exit events of vpid $pid, expected 4"
pass "$n events relayed live"
