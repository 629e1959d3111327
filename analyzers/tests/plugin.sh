#!/bin/sh
# plugin.sh -- the babeltrace2 plugin on its own: `babeltrace2
# --plugin-path DIR TRACE -c sink.genheap.analyze` analyses a (hand-made)
# trace, honours its parameters, and fails on a trace with no genheap
# events.  (real-bloat.sh checks it on a real trace.)
. "$srcdir/tests/lib.sh"
[ -n "${BABELTRACE2:-}" ] && [ -x "$BABELTRACE2" ] || skip "babeltrace2 CLI not installed"
[ -f "$PLUGIN_DIR/babeltrace-plugin-genheap.so" ] || fail "plugin not built"

sh "$srcdir/tests/make-ctf.sh" "$work/genheap" genheap
sh "$srcdir/tests/make-ctf.sh" "$work/nogenheap" nogenheap

expect_status 0 "$BABELTRACE2" --plugin-path="$PLUGIN_DIR" "$work/genheap" \
  -c sink.genheap.analyze -p "format=\"json\",junit=\"$work/j.xml\""
"$FLATTEN" <"$work/out" >"$work/flat" || fail "plugin JSON does not parse"
grep -q "^proc handmade 4242 1 p alive " "$work/flat" || fail "process missing: $(cat "$work/flat")"
grep -q '<testcase classname="genheap.handmade/4242/1(p)" name="bloat">' "$work/j.xml" ||
  fail "plugin did not write the JUnit file"

expect_status 0 "$BABELTRACE2" --plugin-path="$PLUGIN_DIR" "$work/genheap" \
  -c sink.genheap.analyze
grep -q "no findings" "$work/out" || fail "text report missing"

"$BABELTRACE2" --plugin-path="$PLUGIN_DIR" "$work/nogenheap" \
  -c sink.genheap.analyze >"$work/out" 2>"$work/err" && fail "no genheap events accepted"
grep -q "no genheap events" "$work/err" || fail "the reason is not given"

# unknown parameters and bad values are errors, not silently ignored
for bad in 'format="xml"' 'min-idle="abc"' 'min-idle="nan"' 'idle-factor="inf"' \
    'min-idle=1e300' 'min-idel=1' 'bloat-min-words=1.5' 'fail-on="sometimes"' \
    'binleak-min-steps=-3' 'junit=""' 'top=0' 'top=-2' 'top=100001' 'top="5"' \
    'all=1' 'all="yes"'; do
  "$BABELTRACE2" --plugin-path="$PLUGIN_DIR" "$work/genheap" \
    -c sink.genheap.analyze -p "$bad" >"$work/out" 2>"$work/err" &&
    fail "parameter $bad accepted"
  key=${bad%%=*}
  grep -q -- "$key" "$work/err" || fail "the error for $bad does not name $key: $(cat "$work/err")"
done
# good values of every type are taken
expect_status 0 "$BABELTRACE2" --plugin-path="$PLUGIN_DIR" "$work/genheap" \
  -c sink.genheap.analyze -p 'min-idle=0.5,idle-factor="7.5",bloat-min-words=1000,fail-on="error",format="json",top=3,all=true'
grep -q '"min_idle_ns":500000000,"idle_factor":7.5,"bloat_min_words":1000' "$work/out" ||
  fail "plugin parameters not applied: $(head -c 400 "$work/out")"

expect_status 0 "$BABELTRACE2" --plugin-path="$PLUGIN_DIR" help sink.genheap.analyze
grep -q "fail-on" "$work/out" || fail "component help lacks the parameters"
note "plugin: ok"
