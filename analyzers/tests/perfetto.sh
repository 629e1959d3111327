#!/bin/sh
# perfetto.sh -- --perfetto on real traces: the file follows the Trace Event
# Format's documented fields (trace-event-check parses it and checks each
# event's fields and types, slices that do not overlap, counters in time
# order, a name for every process), and holds what the trace holds: the
# heaps the library reported, the GCs it ran (a hibernation, full sweeps
# with their reason), the findings, flagged processes first.  Then the
# checker itself must refuse files that break the format.
. "$srcdir/tests/lib.sh"
need_lttng
CHECK=$TESTS_BIN/trace-event-check

record "$work/hs" "$TESTS_BIN/heap-scenarios" 1500
vpid=$(vpid_of bloated)
expect_status 1 "$ANALYZE" --perfetto "$work/hs.json" "$work/hs"
"$CHECK" "$work/hs.json" >"$work/tracks" 2>"$work/check.err" ||
  fail "not a valid trace event file: $(cat "$work/check.err")"
note "$(grep -c . "$work/tracks") tracks"

pid_of() { awk -v l="$1" '$1 == "process" && $3 == l {print $2}' "$work/tracks"; }
label() { echo "$(hostname)/$vpid/$(stat_of "$1" pid)($1)"; }
b=$(pid_of "$(label bloated)") s=$(pid_of "$(label sleeper)") w=$(pid_of "$(label worker)")
[ -n "$b" ] && [ -n "$s" ] && [ -n "$w" ] || fail "processes missing: $(grep '^process' "$work/tracks")"
# the flagged process sorts before the others (other programs traced on
# this machine meanwhile may come first)
[ "$b" -lt "$s" ] && [ "$b" -lt "$w" ] ||
  fail "the bloated process is not before the others: $(grep '^process' "$work/tracks")"

# counter NAME PID: "MAX LAST COUNT" of a counter track
counter() { awk -v n="$1" -v p="$2" '$1 == "counter" && $2 == p {
  name = $3; for (i = 4; i <= NF - 3; i++) name = name " " $i
  if (name == n) print $(NF - 2), $(NF - 1), $NF }' "$work/tracks"; }
# the old heap ends where the library says; the measured garbage peaks at
# the finding's figure (a census counted all of it)
old=$(stat_of bloated old_heap_size)
set -- $(counter "old heap" "$b")
[ "$2" = "$old" ] || fail "bloated: old heap ends at $2, library says $old"
set -- $(counter "old-heap garbage (measured)" "$b")
[ "$1" = "$old" ] || fail "bloated: measured garbage peaks at $1, want $old"
for p in "$b" "$s" "$w"; do
  for c in "young heap" "old heap" "binary vheap" "old-heap garbage (measured)" \
      "binary waste (measured)"; do
    [ -n "$(counter "$c" "$p")" ] || fail "process $p has no '$c' counter"
  done
done

# GCs: the sleeper's hibernation, full sweeps with a reason, no more slices
# than the process ran GCs
grep -q "^slice $s hibernate 1$" "$work/tracks" || fail "the sleeper's hibernation is not a slice"
grep -q "^slice $w full sweep: [a-z_]* [0-9]*$" "$work/tracks" ||
  fail "the worker's sweeps are not slices with a reason: $(grep "^slice $w " "$work/tracks")"
for name in bloated sleeper worker; do
  p=$(pid_of "$(label $name)")
  slices=$(awk -v p="$p" '$1 == "slice" && $2 == p {n += $NF} END {print n + 0}' "$work/tracks")
  gcs=$(( $(stat_of $name minor_gcs) + $(stat_of $name full_sweeps) ))
  [ "$slices" -ge 1 ] && [ "$slices" -le "$gcs" ] || fail "$name: $slices GC slices for $gcs GCs"
done

# findings: the bloated process's, process-scoped; none for the others
grep -q "^instant $b p bloat (warning)$" "$work/tracks" || fail "no bloat finding on the bloated process"
! grep -q "^instant \($s\|$w\) p " "$work/tracks" || fail "a finding on the sleeper or the worker"
grep -q "^instant $b t census$" "$work/tracks" || fail "no census instant"

# binary heaps: the router's binary vheap and its binleak finding
record "$work/router" "$TESTS_BIN/router" 1500
expect_status 1 "$ANALYZE" --perfetto "$work/router.json" "$work/router"
"$CHECK" "$work/router.json" >"$work/tracks" || fail "router: not a valid trace event file"
vpid=$(vpid_of router)
r=$(pid_of "$(label router)")
set -- $(counter "binary vheap" "$r")
[ "${1:-0}" -gt 0 ] || fail "router: no binary vheap: $(grep "^counter $r " "$work/tracks")"
grep -q "^instant $r p binleak (warning)$" "$work/tracks" || fail "router: no binleak finding"
set -- $(counter "binary waste (measured)" "$r")
[ "${1:-0}" -gt 0 ] || fail "router: no measured binary waste: $(grep "^counter $r " "$work/tracks")"

# --perfetto is a report file like the others
expect_status 2 "$ANALYZE" --perfetto "$work/x.json" --html "$work/x.json" "$work/hs"
expect_one_line_error "x.json" "the same file for --html and --perfetto"

# the checker refuses what breaks the format (so that its passing means it)
broken() { # NAME SED-SCRIPT WHAT
  sed "$2" "$work/hs.json" >"$work/$1.json"
  cmp -s "$work/hs.json" "$work/$1.json" && fail "checker test $1: the edit changed nothing"
  "$CHECK" "$work/$1.json" >/dev/null 2>"$work/check.err" && fail "checker took $1"
  grep -q "$3" "$work/check.err" || fail "checker test $1: $(cat "$work/check.err")"
}
broken nodur '0,/"ph":"X",/s/\("ph":"X".*\),"dur":[0-9.]*/\1/' "without a dur"
broken scope '0,/"s":"p"/s/"s":"p"/"s":"x"/' "scope is not"
broken pidstr '0,/"ph":"C","pid":1,/s/"ph":"C","pid":1,/"ph":"C","pid":"one",/' "pid or tid"
broken negts '0,/"ph":"C",.*"ts":[0-9]/s/\("ph":"C",[^}]*"ts":\)\([0-9]\)/\1-\2/' "ts is not a number"
broken counter '0,/"args":{"words":[0-9]*}/s/"args":{"words":[0-9]*}/"args":{"words":"many"}/' \
  "not a number"
broken phase '0,/"ph":"X"/s/"ph":"X"/"ph":"Q"/' "ph is not one of"
broken noname '0,/"name":"process_name"/s/"args":{"name":"[^"]*"}/"args":{}/' "without args.name"
note "perfetto: ok"
