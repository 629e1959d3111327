#!/bin/sh
# real-bloat.sh -- a real libgenheap program (heap-scenarios: a bloated
# process, one that hibernates, a busy worker) recorded with genheap-trace:
# only the bloated process is flagged, and the analyzer's figures equal the
# library's own statistics printed by the program.  The same trace through
# the babeltrace2 plugin gives the same finding; a truncated copy of it is
# an input error.  Other programs tracing at the same time on this machine
# may add processes: the checks look at this program's vpid only.
. "$srcdir/tests/lib.sh"
need_lttng

record "$work/trace" "$TESTS_BIN/heap-scenarios" 1500
vpid=$(vpid_of bloated)
[ -n "$vpid" ] || fail "no vpid in the program's output"

expect_status 1 "$ANALYZE" --format=json --junit="$work/junit.xml" "$work/trace"
"$FLATTEN" <"$work/out" >"$work/flat" || fail "JSON report does not parse"
grep " $vpid " "$work/flat" >"$work/mine"
note "$(cat "$work/mine")"

# only the bloated process has a bloat finding (warning) in this program
bloat_lines=$(grep -c "^finding bloat warning [^ ]* $vpid " "$work/mine")
[ "$bloat_lines" = 1 ] || fail "want exactly one bloat finding, got $bloat_lines"
grep -q "^finding bloat warning [^ ]* $vpid $(stat_of bloated pid) bloated " "$work/mine" ||
  fail "the bloat finding is not for the bloated process"
for p in sleeper worker; do
  ! grep -q "^finding [a-z-]* [a-z]* [^ ]* $vpid [0-9]* $p " "$work/mine" ||
    fail "$p was flagged"
done

# the held words are the library's old_heap_size
held=$(awk '$1 == "finding" && $2 == "bloat" {print $8}' "$work/mine")
[ "$held" = "$(stat_of bloated old_heap_size)" ] ||
  fail "held words $held, library says $(stat_of bloated old_heap_size)"

# the unnamed process is reported without a name, not under a neighbour's
anon_pid=$(awk '$1 == "stats" && / name= / { for (i = 2; i <= NF; i++) if ($i ~ /^pid=/) print substr($i, 5) }' "$work/prog.out")
[ -n "$anon_pid" ] || fail "the program printed no unnamed process"
grep -q "^proc [^ ]* $vpid $anon_pid - " "$work/mine" ||
  fail "the unnamed process has a name: $(grep "^proc [^ ]* $vpid $anon_pid " "$work/mine")"

# per-process summary figures equal the library's counters
for p in bloated sleeper worker; do
  want="$(stat_of $p minor_gcs) $(stat_of $p full_sweeps) $(stat_of $p hibernations)"
  want="$want $(stat_of $p old_heap_size) $(stat_of $p bin_old_vheap_size)"
  want="$want $(stat_of $p words_promoted) $(stat_of $p words_reclaimed)"
  got=$(awk -v p="$p" '$1 == "proc" && $5 == p {print $7, $8, $9, $10, $11, $12, $13}' "$work/mine")
  [ "$got" = "$want" ] || fail "$p: analyzer '$got', library '$want'"
done

# JUnit: a failure for the bloated process's bloat case
grep -q "<failure message=\"held $held words of old-heap garbage" "$work/junit.xml" ||
  fail "JUnit lacks the bloat failure"
grep -q '<property name="evidence" value="census"/>' "$work/junit.xml" ||
  fail "JUnit lacks the finding's evidence"

# the text report names it too, and --fail-on=never turns exit 1 into 0
expect_status 0 "$ANALYZE" --fail-on=never "$work/trace"
grep -q "warning bloat .*/$vpid/$(stat_of bloated pid)(bloated)" "$work/out" ||
  fail "text report lacks the finding"

# the babeltrace2 plugin reports the same finding, and fails babeltrace2's
# exit status as genheap-analyze's (fail-on=never: it does not)
[ -n "${BABELTRACE2:-}" ] || skip "babeltrace2 CLI not installed"
expect_status 0 "$BABELTRACE2" --plugin-path="$PLUGIN_DIR" "$work/trace" \
  -c sink.genheap.analyze -p 'format="json",fail-on="never"'
"$FLATTEN" <"$work/out" | grep "^finding bloat warning [^ ]* $vpid " >"$work/plugin" ||
  fail "the plugin did not report the bloat finding"
[ "$(awk '{print $8}' "$work/plugin")" = "$held" ] || fail "plugin figure differs"
"$BABELTRACE2" --plugin-path="$PLUGIN_DIR" "$work/trace" -c sink.genheap.analyze \
  >"$work/out" 2>"$work/err" && fail "babeltrace2 exited 0 with a warning finding"
grep -q "findings at or above fail-on=warning" "$work/err" || fail "no reason for the failure"

# a truncated copy of the real trace is an input error, on one line
cp -r "$work/trace" "$work/cut"
stream=$(find "$work/cut" -type f -size +8k ! -name metadata ! -path '*/index/*' | head -n 1)
[ -n "$stream" ] || fail "no stream file to truncate"
head -c $(( $(wc -c <"$stream") / 2 + 13 )) "$stream" >"$work/half" && mv "$work/half" "$stream"
expect_status 2 "$ANALYZE" "$work/cut"
expect_one_line_error "$work/cut" "genheap-analyze"
note "real bloat: ok"
