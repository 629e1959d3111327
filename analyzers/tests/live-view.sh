#!/bin/sh
# live-view.sh -- the live view (--view, --watch), under tmux: what a user
# sees in a terminal (capture-pane), while the recorded program still runs.
#   1. --watch on a trace folder still being written (a session of our own
#      with a switch timer, so packets reach the disk as it runs): the
#      screen shows the server with its measured waste and a warning
#      before the program ends; Ctrl-C leaves the screen and prints the
#      report of the last complete read; exit status 1 (the warning).
#      The same, stdout in a file: "view ..." lines, no terminal codes, one
#      per change, then the report.
#   2. --view on a live session (an lttng-relayd of our own, on ports of its
#      own): the same screen as the events arrive; Ctrl-C reports.
#   3. --view and --watch refuse the inputs they cannot follow.
. "$srcdir/tests/lib.sh"
need_lttng
[ -n "${LTTNG_RELAYD:-}" ] && [ -x "$LTTNG_RELAYD" ] || skip "lttng-relayd not installed"
[ -n "${LTTNG_SESSIOND:-}" ] && [ -x "$LTTNG_SESSIOND" ] || skip "lttng-sessiond not installed"
command -v tmux >/dev/null || skip "tmux not installed (dev/run deps installs it)"
[ "${GENHEAP_GC_STRESS:-0}" = 0 ] || skip "GC stress: the scenario's timing is not the point"
PROVIDER=$top_builddir/tracer/.libs/libgenheap-lttng.so
[ -f "$PROVIDER" ] || skip "probe provider not built"
PROVIDER=$(cd "$(dirname "$PROVIDER")" && pwd)/libgenheap-lttng.so
ANALYZE=$(cd "$(dirname "$ANALYZE")" && pwd)/genheap-analyze

# 3. usage first: no daemon needed
sh "$srcdir/tests/make-ctf.sh" "$work/ctf" genheap
expect_status 2 "$ANALYZE" --view "$work/ctf"
expect_one_line_error "--view" "use --watch SECONDS"
expect_status 2 "$ANALYZE" --watch 1 net://127.0.0.1/host/h/s
expect_one_line_error "--watch" "followed as it goes with --view"
expect_status 2 "$ANALYZE" --watch 0 "$work/ctf"
expect_one_line_error "for --watch: " "invalid value '0'"

# a root session daemon: the running one, or ours
use_sessiond
# a tmux server of our own (its own socket), killed at the end
TMUX_SOCK=gha-view-$$
tm() { tmux -L "$TMUX_SOCK" "$@"; }
stop_tmux() { tm kill-server 2>/dev/null; }
cleanup_hooks="stop_tmux $cleanup_hooks"
sessions=
destroy() { for s in $sessions; do "$LTTNG" destroy "$s" >/dev/null 2>&1; done; }
cleanup_hooks="destroy $cleanup_hooks"

# Only our copy of the scenario program is recorded (other tests may trace
# on this machine): by its process name.
prog=ghview$$
cp "$TESTS_BIN/scenario" "$work/$prog" || fail "cannot copy the scenario program"
# run_server OUT: the bloat scenario, its server idling 8 s (the census
# thread measures it 0.2 s into its wait) while a ticker keeps collecting:
# an idle process records nothing, and its idle time runs as the trace's
# time does, which other processes' events carry to the reader
run_server() {
  LTTNG_UST_REGISTER_TIMEOUT=-1 LD_PRELOAD="$PROVIDER" GENHEAP_CENSUS_MS=200 \
    SCENARIO_SERVER_NAME=server "$work/$prog" bloat others-collect 8000 >"$1" 2>&1 &
  server_pid=$!
}
# events_of SESSION: our program's genheap events, with their contexts
events_of() {
  "$LTTNG" enable-event -u -s "$1" -c c 'genheap:*' \
    --filter "\$ctx.procname == \"$prog\"" >/dev/null &&
    "$LTTNG" add-context -u -s "$1" -c c -t vpid -t vtid -t procname >/dev/null &&
    "$LTTNG" start "$1" >/dev/null
}
# pane NAME: what the terminal shows
pane() { tm capture-pane -p -t "$1"; }
# wait_pane NAME PATTERN SECONDS: until the screen shows PATTERN
wait_pane() {
  i=0
  while [ $i -lt $(($3 * 10)) ]; do
    pane "$1" | grep -q -- "$2" && return 0
    sleep 0.1
    i=$((i + 1))
  done
  pane "$1" >&2
  return 1
}
# the server's row: state, young, old, binary, waste, swept, idle, finding
server_row() { pane "$1" | grep '(server) '; }

# ---- 1. a trace folder still being written ------------------------------------
s1=gha-view-disk-$$
# the switch timers close packets, the metadata's too, every 0.2 s: else
# nothing reaches the disk before a sub-buffer fills (genheap-analyze(1),
# LIVE VIEW)
"$LTTNG" create "$s1" --output="$work/disk" >/dev/null &&
  "$LTTNG" enable-channel -u -s "$s1" metadata --switch-timer=200000 >/dev/null &&
  "$LTTNG" enable-channel -u -s "$s1" c --switch-timer=200000 >/dev/null &&
  events_of "$s1" || fail "cannot set up the session $s1"
sessions="$sessions $s1"
run_server "$work/prog1.out"
i=0
while [ -z "$(find "$work/disk" -name metadata 2>/dev/null)" ]; do
  [ $i -lt 100 ] || fail "the trace folder never appeared"
  sleep 0.1
  i=$((i + 1))
done
tm new-session -d -s watch -x 132 -y 24 \
  "'$ANALYZE' --watch 0.5 '$work/disk' 2>'$work/watch.err'; echo exit=\$?; sleep 60"
"$ANALYZE" --watch 0.5 "$work/disk" >"$work/lines.out" 2>"$work/lines.err" &
lines_pid=$!
wait_pane watch "(server) .*bloat warning" 12 || fail "the view never showed the server's warning"
kill -0 "$server_pid" 2>/dev/null || fail "the program ended before the view showed it"
pane watch >"$work/screen-watch.txt"
grep -q "^genheap-analyze: $work/disk  \[read [0-9]* in [0-9.]* s, next in 0.5 s\]" \
  "$work/screen-watch.txt" || fail "no header: $(head -2 "$work/screen-watch.txt")"
grep -q "^PROCESS  *STATE  *YOUNG  *OLD  *BINARY  *WASTE  *SWEPT  *IDLE  *FINDING" \
  "$work/screen-watch.txt" || fail "no column heading"
# the server first (the most waste), alive, its 250,000 words measured
row=$(sed -n '/^PROCESS/{n;p;q}' "$work/screen-watch.txt" | grep '(server) ')
[ -n "$row" ] || fail "the server is not the first row: $(cat "$work/screen-watch.txt")"
echo "$row" | grep -Eq "\(server\) +alive +[0-9k]+ +2[0-9][0-9]k +[0-9k]+ +250k +(never|[0-9.]+s ago) +[0-9.]+s +bloat warning" ||
  fail "server row: $row"
note "watch: $row"
tm send-keys -t watch C-c
wait_pane watch "^exit=" 10 || fail "Ctrl-C did not end the view"
pane watch >"$work/after-watch.txt"
grep -q "^exit=1$" "$work/after-watch.txt" || fail "the watch exited $(grep exit= "$work/after-watch.txt")"
grep -q "^warning bloat .*(server)" "$work/after-watch.txt" &&
  grep -q "held 250000 words" "$work/after-watch.txt" ||
  fail "no final report after Ctrl-C: $(cat "$work/after-watch.txt")"
! grep -q "^PROCESS  *STATE  *YOUNG" "$work/after-watch.txt" || fail "the view was left on screen"
# the same in a file: lines, no escapes, one per change, then the report
kill -INT "$lines_pid"
wait "$lines_pid"
st=$?
[ "$st" = 1 ] || fail "--watch to a file: exit $st: $(cat "$work/lines.err")"
! grep -q "$(printf '\033')" "$work/lines.out" || fail "terminal codes in a file"
grep -q "^view trace=[0-9.]*s events=[0-9]* processes=[0-9]* .* top=[^ ]*(server) waste=250k " \
  "$work/lines.out" || fail "no summary line with the server: $(head -5 "$work/lines.out")"
[ "$(grep '^view ' "$work/lines.out" | sed 's/^view trace=[^ ]* //; s/ (read .*//' | sort | uniq -d)" = "" ] ||
  fail "a summary line repeated without a change"
grep -q "warning bloat .*(server)" "$work/lines.out" || fail "no report after the lines"
wait "$server_pid"
"$LTTNG" destroy "$s1" >/dev/null

# ---- 2. a live session --------------------------------------------------------
start_relayd 50000
s2=gha-view-live-$$
"$LTTNG" create "$s2" --live=100000 --set-url="net://127.0.0.1:$ctrl:$data" >/dev/null &&
  "$LTTNG" enable-channel -u -s "$s2" c >/dev/null && events_of "$s2" ||
  fail "cannot set up the live session $s2"
sessions="$sessions $s2"
url="net://127.0.0.1:$livep/host/$(hostname)/$s2"
tm new-session -d -s live -x 132 -y 24 \
  "'$ANALYZE' --view '$url' 2>'$work/live.err'; echo exit=\$?; sleep 60"
sleep 2 # attached: what comes next is read
run_server "$work/prog2.out"
wait_pane live "(server) .*bloat warning" 15 || fail "the live view never showed the warning"
kill -0 "$server_pid" 2>/dev/null || fail "the program ended before the live view showed it"
pane live >"$work/screen-live.txt"
grep -q "^genheap-analyze: $url  \[live\]" "$work/screen-live.txt" || fail "live: no header"
note "live: $(server_row live)"
sed '/^ *$/d; s/^/#   /' "$work/screen-live.txt" # what docs/live-view.md describes
tm send-keys -t live C-c
wait_pane live "^exit=" 10 || fail "Ctrl-C did not end the live view"
pane live >"$work/after-live.txt"
grep -q "^exit=1$" "$work/after-live.txt" || fail "the live view exited $(grep exit= "$work/after-live.txt"): $(cat "$work/live.err")"
grep -q "warning bloat .*(server)" "$work/after-live.txt" || fail "no report after Ctrl-C on a live view"
wait "$server_pid"
note "live view: ok"
