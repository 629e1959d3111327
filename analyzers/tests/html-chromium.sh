#!/bin/sh
# html-chromium.sh -- the HTML report of two real traces read together (a
# bloated process, a leaking router) opened in headless Chromium: the
# rendered DOM holds one chart per flagged process, each with plotted
# points.  Installs chromium when it is missing; skips only if it cannot.
. "$srcdir/tests/lib.sh"
need_lttng

chromium=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$chromium" ]; then
  apt-get install -y chromium >"$work/apt.log" 2>&1 || true
  chromium=$(command -v chromium || true)
  [ -n "$chromium" ] || skip "chromium cannot be installed"
fi

record "$work/t1" "$TESTS_BIN/heap-scenarios" 1200
bloat_vpid=$(vpid_of bloated)
record "$work/t2" "$TESTS_BIN/router" 1200
router_vpid=$(vpid_of router)

expect_status 1 "$ANALYZE" --format=json --html="$work/report.html" "$work/t1" "$work/t2"
"$FLATTEN" <"$work/out" >"$work/flat" || fail "JSON does not parse"
flagged=$(awk '$1 == "finding" {print $4 "/" $5 "/" $6}' "$work/flat" | sort -u | wc -l)
grep -q "^finding bloat [^ ]* [^ ]* $bloat_vpid " "$work/flat" || fail "bloat not found"
grep -q "^finding binleak [^ ]* [^ ]* $router_vpid " "$work/flat" || fail "binleak not found"

# no network: nothing but the SVG namespace may name a URL
! grep -o 'https\?://[^"]*' "$work/report.html" | grep -v '^http://www.w3.org/2000/svg$' ||
  fail "the page refers to the network"

profile=$(mktemp -d "$work/chromium.XXXXXX")
"$chromium" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --user-data-dir="$profile" --dump-dom "file://$work/report.html" \
  >"$work/dom.html" 2>"$work/chromium.err" || {
  cat "$work/chromium.err" >&2
  fail "chromium failed"
}
[ -s "$work/dom.html" ] || fail "chromium rendered nothing"

charts=$(grep -o '<svg class="gha-chart"' "$work/dom.html" | wc -l)
[ "$charts" -eq "$flagged" ] || fail "$charts charts for $flagged flagged processes"
# each chart: four series with at least two plotted points each
plotted=$(grep -o '<polyline class="series-[a-z]*" [^>]*points="[0-9.]*,[0-9.]* [0-9.]*,[0-9.]*' \
  "$work/dom.html" | wc -l)
[ "$plotted" -eq $((4 * charts)) ] || fail "$plotted plotted series for $charts charts"
# the measured garbage rises off the baseline (y 210) somewhere in each chart
risen=$(grep -o '<polyline class="series-waste" [^>]*points="[^"]*"' "$work/dom.html" |
  awk '{ for (i = 1; i <= NF; i++) if ($i ~ /,/) { split($i, xy, ","); if (xy[2] + 0 < 209) { n++; next } } } END { print n + 0 }')
[ "$risen" -eq "$charts" ] || fail "garbage drawn above zero in $risen of $charts charts"
grep -q '<rect class="mark-census"' "$work/dom.html" || fail "no census marker drawn"
for who in "/$bloat_vpid/[0-9]*(bloated)" "/$router_vpid/[0-9]*(router)"; do
  grep -q "<svg class=\"gha-chart\" data-process=\"[^\"]*$who\"" "$work/dom.html" ||
    fail "no chart for $who"
done
note "html: $charts charts, $plotted series"
