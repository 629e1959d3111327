#!/bin/sh
# text-report.sh -- the text report on the demo's own program (the router
# of examples/router: one router, a short-lived worker per request): the
# finding first, on one line naming severity, analysis and process; the
# workers in one row; 80 columns; --top and --all; and --compare of the
# leaking run with the hibernating one, matched by name.
. "$srcdir/tests/lib.sh"
need_lttng

ROUTER=$top_builddir/examples/router/router
if [ ! -x "$ROUTER" ]; then # examples/ builds after analyzers/
  make -C "$top_builddir/examples" router/router >"$work/make.log" 2>&1 ||
    { cat "$work/make.log" >&2; fail "cannot build $ROUTER"; }
fi
REQUESTS=1000

# record_leak: the router's leak is measured when the runtime's census
# thread sees it idle; on a loaded machine it may not, and then nothing
# is flagged (the analyses say so): these tests are about the reports, so
# such a recording is made again, at most twice.
record_leak() {
  for try in 1 2 3; do
    rm -rf "$work/leak"
    record "$work/leak" "$ROUTER" --requests $REQUESTS --idle-ms 1600
    "$ANALYZE" "$work/leak" >/dev/null 2>&1
    [ $? = 1 ] && return 0
    note "recording $try: the leak was not measured; recording again"
  done
}
record_leak
vpid=$(vpid_of router)
record "$work/fixed" "$ROUTER" --requests $REQUESTS --idle-ms 1600 --hibernate-after 200

"$ANALYZE" "$work/leak" >"$work/leak.txt" 2>"$work/err"
st=$?
[ $st = 1 ] || { cat "$work/leak.txt" "$work/err" >&2; fail "the leaking router: exit $st, want 1"; }
note "$(head -n 12 "$work/leak.txt")"

# the finding first, on one line a grep finds, tagged as measured
first=$(grep -n "^warning binleak [^ ]*/$vpid/1(router) \[measured by [a-z ]*\]$" \
  "$work/leak.txt" | head -n 1 | cut -d: -f1)
table=$(grep -n "^Processes by name" "$work/leak.txt" | cut -d: -f1)
[ -n "$first" ] || fail "no finding line for the router"
[ -n "$table" ] || fail "no table by name"
[ "$first" -lt "$table" ] || fail "the table comes before the finding"

# the workers are one row (other programs recorded alongside may add some)
awk -v n=$REQUESTS '$NF == "worker" && $1 >= n { ok = 1 } END { exit !ok }' \
  "$work/leak.txt" || fail "no row of $REQUESTS or more workers"
lines=$(wc -l <"$work/leak.txt")
[ "$lines" -lt 60 ] || fail "$lines lines for $REQUESTS workers and a router"
# 80 columns, but for a finding's first line (it names the host)
! awk 'length > 80 && !/^(warning|info|error) /' "$work/leak.txt" | grep . ||
  fail "lines over 80 columns"

# --top 1: one name, the others counted
expect_status 1 "$ANALYZE" --top 1 "$work/leak"
grep -q "^\.\.\. and [0-9]* more names* ([0-9]* process" "$work/out" ||
  fail "--top 1 does not count the names left out"
[ "$(awk '/^Processes by name/ { t = 1; getline; next } t && /^ *[0-9]/' "$work/out" |
  wc -l)" -eq 1 ] || fail "--top 1 lists more than one name"

# --all: every process, the router first (it has the most waste)
expect_status 1 "$ANALYZE" --all "$work/leak"
[ "$(grep -c '(worker)$' "$work/out")" -ge $REQUESTS ] || fail "--all does not list every worker"
# (among this program's processes: others recorded alongside may rank higher)
sed -n '/^Every process/,$p' "$work/out" | grep -m1 "/$vpid/" | grep -q "/$vpid/1(router)$" ||
  fail "--all does not list the router first: $(sed -n '/^Every process/,+4p' "$work/out")"

# the babeltrace2 plugin takes the same views as parameters
if [ -n "${BABELTRACE2:-}" ] && [ -x "$BABELTRACE2" ]; then
  "$BABELTRACE2" --plugin-path="$PLUGIN_DIR" "$work/leak" -c sink.genheap.analyze \
    -p 'top=1' >"$work/out" 2>"$work/err" # exit 1: the findings fail the run
  grep -q "^\.\.\. and [0-9]* more names* ([0-9]* process" "$work/out" ||
    fail "plugin top=1 does not count the names left out: $(cat "$work/err")"
  "$BABELTRACE2" --plugin-path="$PLUGIN_DIR" "$work/leak" -c sink.genheap.analyze \
    -p 'all=true' >"$work/out" 2>"$work/err"
  [ "$(grep -c '(worker)$' "$work/out")" -ge $REQUESTS ] ||
    fail "plugin all=true does not list every worker: $(cat "$work/err")"
fi

# --compare: the router's leak is gone after the fix; processes matched by
# name (the vpids differ); the exit status is the fixed run's
"$ANALYZE" --compare "$work/leak" "$work/fixed" >"$work/out" 2>"$work/err"
st=$?
[ $st -le 1 ] || { cat "$work/err" >&2; fail "--compare exited $st"; }
note "$(cat "$work/out")"
grep -q "^warning  \(none \|info \)    \(fixed \|better\)   binleak  .*  router$" "$work/out" ||
  fail "--compare does not show the router's leak fixed"
awk -v n=$REQUESTS '$NF == "worker" && $1 >= n && $2 >= n { ok = 1 } END { exit !ok }' \
  "$work/out" || fail "--compare does not match the workers by name"
! awk 'length > 80 && !/^(before|after) /' "$work/out" | grep . ||
  fail "--compare: lines over 80 columns (but for the traces' paths)"
expect_status 2 "$ANALYZE" --compare "$work/leak"
expect_one_line_error "--compare" "two traces"
note "text report: ok"
