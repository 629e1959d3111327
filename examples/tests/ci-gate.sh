#!/bin/sh
# ci-gate.sh -- examples/ci/genheap-gate.sh as a CI pipeline runs it on
# successive commits of the router example (docs/ci.md):
#   1. the leak lands, no baseline yet: the gate fails, no baseline is kept;
#   2. the team accepts it with a dated suppression: it passes, and the
#      report becomes the baseline (-u);
#   3. the fix (--hibernate-after): it passes, the suppression is unused,
#      the baseline is updated;
#   4. the leak comes back, the suppression gone: a new finding fails, and
#      the baseline stays the fixed one;
#   5. a failing command: its exit status wins.
# Every run writes the reports the script promises.
. "${GH_SRCDIR:-.}/tests/lib.sh"
[ "${GH_DEMO_TOOLS:-no}" = yes ] || skip "built without LTTng-UST or babeltrace2"
[ -n "${LTTNG:-}" ] && [ -x "$LTTNG" ] || skip "lttng not installed"
[ "$stress" = no ] || skip "GC stress: the router's timing is not the point there"
export LTTNG_HOME="$work/lttng-home"
mkdir -p "$LTTNG_HOME"
export GENHEAP_ANALYZE="$GH_TOP_BUILDDIR/analyzers/genheap-analyze"
gate=$GH_SRCDIR/ci/genheap-gate.sh
provider=$GH_TOP_BUILDDIR/tracer/.libs/libgenheap-lttng.so
[ -f "$provider" ] || skip "probe provider not built"
provider=$(cd "$(dirname "$provider")" && pwd)/libgenheap-lttng.so
cd "$work" || fail "no work folder"
# Other tests may record genheap programs on this machine at the same
# time, and genheap-trace records every one: their findings would be new
# names to the gate.  So the script's recorder here is a stand-in with
# genheap-trace's interface (-q -o DIR -- COMMAND...) that records our
# router only, under a name of its own (demo.sh runs the real recorder).
prog=ghgate$$
cp "$EX/router/router" "$work/$prog" || fail "cannot copy the router"
router=$work/$prog
cat >record <<EOF
#!/bin/sh
out=\$3; shift 4
s=$prog-\$\$
"$LTTNG" create "\$s" --output="\$out" >/dev/null &&
  "$LTTNG" enable-event -u -s "\$s" 'genheap:*' --filter '\$ctx.procname == "$prog"' >/dev/null &&
  "$LTTNG" add-context -u -s "\$s" -t vpid -t vtid -t procname >/dev/null &&
  "$LTTNG" start "\$s" >/dev/null || exit 124
LTTNG_UST_REGISTER_TIMEOUT=-1 LD_PRELOAD="$provider" GENHEAP_CENSUS_MS=1000 "\$@"
st=\$?
"$LTTNG" destroy "\$s" >/dev/null
exit \$st
EOF
chmod +x record
export GENHEAP_TRACE="$work/record"
# The router's measured peaks vary by half from run to run of the same code
# (when its sweeps fall): a pipeline of it needs a growth threshold above
# that noise (docs/ci.md).
load="--requests 1000 --idle-ms 1200"
noise="--gate-growth 300"

# step N WANT-STATUS ARGS...: one pipeline run, its output in step-N.out.
# The leaking router's leak shows in most runs, not all (its own timing: a
# sweep may come before its census, tests/router.sh): a leaking run that
# shows none is recorded again, twice at most; -u runs after the check.
step() {
  n=$1 want=$2; shift 2
  tries=0
  while :; do
    cp genheap-baseline.json "baseline-before-$n" 2>/dev/null || rm -f "baseline-before-$n"
    sh "$gate" -u -a "$noise" "$@" >"step-$n.out" 2>"step-$n.err"
    got=$?
    case " $* " in *" --hibernate-after "* | *" -c "*) break ;; esac
    grep -q "binleak .*(router)" "step-$n.out" && break
    tries=$((tries + 1))
    [ $tries -lt 3 ] || fail "step $n: the router did not leak in 3 runs"
    note "step $n: the router showed no leak this time; again"
    if [ -e "baseline-before-$n" ]; then cp "baseline-before-$n" genheap-baseline.json
    else rm -f genheap-baseline.json; fi
  done
  [ "$got" = "$want" ] || { cat "step-$n.out" "step-$n.err" >&2; fail "step $n exited $got, want $want"; }
  for f in report.txt report.json report.xml report.html perfetto.json; do
    [ -s "genheap-gate/$f" ] || fail "step $n: no genheap-gate/$f"
  done
  note "step $n: exit $got: $(grep '^gate: ' "step-$n.out" | tail -1)"
}

# 1. the leak, no baseline: every warning fails; nothing is kept
# shellcheck disable=SC2086
step 1 1 -- "$router" $load
grep -q "no baseline (genheap-baseline.json)" step-1.out || fail "step 1: no word about the baseline"
grep -q "warning binleak .*(router)" step-1.out || fail "step 1: the leak is not reported"
[ ! -e genheap-baseline.json ] || fail "step 1: a failing run became the baseline"

# 2. accepted until a date far away, with a reason
echo "router binleak until=2999-12-31 being fixed; see the router example" >genheap.supp
step 2 0 -- "$router" $load
grep -q "baseline updated: genheap-baseline.json" step-2.out || fail "step 2: baseline not kept"
grep -q "accepted 1 finding (being fixed" step-2.out || fail "step 2: the suppression is not shown"

# 3. the fix: no finding, the suppression unused (a note), baseline updated
step 3 0 -- "$router" $load --hibernate-after 200
grep -q "against genheap-baseline.json" step-3.out || fail "step 3: the baseline was not used"
grep -q "note: genheap.supp:1: suppression matched no finding" step-3.err ||
  fail "step 3: the unused suppression is not noted: $(cat step-3.err)"
grep -q "^no findings" step-3.out || fail "step 3: the fixed router has findings"
cp genheap-baseline.json fixed-baseline.json

# 4. the leak is back, and the suppression was removed with the fix
rm genheap.supp
step 4 1 -- "$router" $load
grep -q "REGRESSION  new-finding    binleak .* router: 1 finding, 0 in the baseline" step-4.out ||
  fail "step 4: the regression is not named: $(grep -A3 '^gate' step-4.out)"
cmp -s genheap-baseline.json fixed-baseline.json || fail "step 4: the regression became the baseline"
grep -q '<failure message="new-finding binleak: 1 finding, 0 in the baseline" type="regression"/>' \
  genheap-gate/report.xml || fail "step 4: JUnit lacks the regression"

# 5. the command itself failed: its status, not the gate's
sh "$gate" -- sh -c "exit 3" >step-5.out 2>step-5.err
[ $? = 3 ] || fail "step 5: a failing command's status is lost"
# usage
sh "$gate" >/dev/null 2>&1
[ $? = 64 ] || fail "no command: not a usage error"
note "ci gate: ok"
