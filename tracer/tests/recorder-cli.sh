#!/bin/sh
# recorder-cli.sh -- genheap-trace's options, errors and exit statuses.
#
# Usage errors must give one line on stderr and exit 125 before any LTTng
# set-up; a missing command 127; the command's own status must come back;
# --snapshot must leave a readable trace.  The parts that record need LTTng.
. "$GH_SRCDIR/tests/lib.sh"

# expect_status WANT DESCRIPTION ARGS...: run the recorder, check the status
# and, for errors, that stderr is exactly one line naming the program.
expect_status() {
  want=$1 what=$2
  shift 2
  "$recorder" "$@" >"$scratch/out" 2>"$scratch/err" </dev/null
  got=$?
  [ "$got" -eq "$want" ] || fail "$what: exit $got, expected $want ($(head -n 2 "$scratch/err"))"
  if [ "$want" -ge 123 ]; then
    [ "$(wc -l <"$scratch/err")" -eq 1 ] || fail "$what: stderr is not one line: $(cat "$scratch/err")"
    grep -q '^genheap-trace: ' "$scratch/err" || fail "$what: stderr does not name the program: $(cat "$scratch/err")"
  fi
}

expect_status 0 "--help" --help
grep -q '^Usage: genheap-trace' "$scratch/out" || fail "--help prints no usage"
grep -q '125' "$scratch/out" || fail "--help does not document the exit statuses"
expect_status 0 "--version" -V
grep -q '^genheap-trace (genheap) [0-9]' "$scratch/out" || fail "-V prints '$(cat "$scratch/out")'"

expect_status 125 "unknown option" --frobnicate -- true
expect_status 125 "no command" -q
expect_status 125 "missing option argument" -o
expect_status 125 "unknown event" -e gc_minor_end,no_such_event -- true
expect_status 125 "bad event name" -e 'gc minor' -- true
expect_status 125 "snapshot and live" --snapshot --live net://127.0.0.1 -- true
expect_status 125 "bad live URL" --live http://127.0.0.1 -- true
expect_status 125 "bad session name" --session 'a/b' -- true
mkdir -p "$scratch/full" && : >"$scratch/full/x"
expect_status 125 "non-empty output directory" -o "$scratch/full" -- true
expect_status 127 "command not found" -- gh-no-such-command-$$
expect_status 127 "command path not found" -- "$scratch/nothing-here"
expect_status 126 "command not executable" -- "$scratch/full/x"

require_lttng
expect_status 7 "command status comes back" -q \
  --session "$(session_name status)" -o "$scratch/t-status" -- sh -c 'exit 7'
[ "$(cat "$scratch/out")" = "$scratch/t-status" ] ||
  fail "stdout is '$(cat "$scratch/out")', not the trace directory"

expect_status 0 "snapshot mode" -q --snapshot -e 'proc_*,gc_major_end' \
  --session "$(session_name snap)" -o "$scratch/t-snap" -- "$workload" --rounds 20
out_dir=$(tail -n 1 "$scratch/out")
"$BABELTRACE2" "$out_dir" >"$scratch/snap.txt" 2>"$scratch/bt2.err" ||
  fail "babeltrace2 cannot read the snapshot: $(head -n 2 "$scratch/bt2.err")"
pid=$(sed -n 's/^workload os_pid=\([0-9]*\).*/\1/p' "$scratch/out")
grep "vpid = $pid," "$scratch/snap.txt" >"$scratch/snap.mine"
grep -q 'genheap:proc_exit:' "$scratch/snap.mine" || fail "snapshot has no proc_exit of vpid $pid"
grep -q 'genheap:gc_major_end:' "$scratch/snap.mine" || fail "snapshot has no gc_major_end of vpid $pid"
if grep -q 'genheap:gc_minor_' "$scratch/snap.mine"; then
  fail "-e proc_*,gc_major_end recorded minor GC events"
fi
pass "options, exit statuses and snapshot mode"
