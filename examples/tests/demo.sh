#!/bin/sh
# demo.sh (test) -- runs examples/demo.sh end to end with a real LTTng
# session daemon: the leaking router must be flagged by genheap-analyze,
# the hibernating one not, and the HTML report must be written.  A shorter
# load than the interactive demo keeps it under a minute.  Skips when the
# build has no recorder or analyzer, or LTTng is not installed.
. "${GH_SRCDIR:-.}/tests/lib.sh"
[ "${GH_DEMO_TOOLS:-no}" = yes ] || skip "built without LTTng-UST or babeltrace2"
[ -n "${LTTNG:-}" ] && [ -x "$LTTNG" ] || skip "lttng not installed"
[ "$stress" = no ] || skip "GC stress: the demo's timing is not the point there"
# A private lttng state folder; genheap-trace uses the daemon lttng can
# reach (the root one) or starts, and then stops, a private one.
export LTTNG_HOME="$work/lttng-home"
mkdir -p "$LTTNG_HOME"

demo=$GH_SRCDIR/demo.sh
sh "$demo" >/dev/null 2>&1; [ $? = 2 ] || fail "demo.sh without a build folder must exit 2"
sh "$demo" "$work/no-such-build" >/dev/null 2>&1; [ $? = 2 ] || fail "demo.sh with a missing folder must exit 2"

GENHEAP_DEMO_ROUTER_ARGS="--requests 1000 --idle-ms 1200" \
  sh "$demo" "$GH_TOP_BUILDDIR" "$work/out" >"$work/demo.out" 2>"$work/demo.err"
st=$?
sed 's/^/#   /' "$work/demo.out"
if [ "$st" != 0 ]; then
  cat "$work/demo.err" >&2
  for r in "$work"/out/*.report "$work"/out/*.err; do
    [ -f "$r" ] && { echo "---- $r" >&2; grep -v "(worker)" "$r" | tail -15 >&2; }
  done
  fail "demo.sh exited $st"
fi
grep -q "binleak.*(router)" "$work/out/leak.report" || fail "leak run: router not flagged"
! grep -q "binleak.*(router)" "$work/out/fixed.report" || fail "fixed run: router flagged"
grep -q "^no findings" "$work/out/fixed.report" || fail "fixed run: findings"
[ -s "$work/out/leak.html" ] || fail "no HTML report"
grep -q "$work/out/leak.html" "$work/demo.out" || fail "demo does not say where the report is"
grep -q "<svg" "$work/out/leak.html" || fail "the report has no chart"
note "demo: ok"
