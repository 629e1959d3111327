#!/bin/sh
# gate.sh -- the CI gate (--baseline, --suppressions) on real traces: the
# ground-truth scenario program (tests/scenario.c) recorded by LTTng, its
# server holding 125,000 words of garbage (half), 250,000
# (bloat) or none (cache).  Each check says what the gate must answer:
# a run against itself passes, waste grown past the thresholds fails, a new
# finding fails, an improvement passes and is reported; suppressions accept
# findings until they expire; bad gate files are usage errors naming the
# file (and line).
. "$srcdir/tests/lib.sh"
need_lttng
[ "${GENHEAP_GC_STRESS:-0}" = 0 ] || skip "GC stress changes the scenarios' figures"

PROVIDER=$top_builddir/tracer/.libs/libgenheap-lttng.so
[ -f "$PROVIDER" ] || skip "probe provider not built"
PROVIDER=$(cd "$(dirname "$PROVIDER")" && pwd)/libgenheap-lttng.so

# Other tests may record genheap programs on this machine meanwhile, and
# genheap-trace would record them too: new names to the gate.  A session
# of our own records our copy of the program only (by its process name),
# with the census genheap-trace would ask for.
prog=ghgate$$
cp "$TESTS_BIN/scenario" "$work/$prog" || fail "cannot copy the scenario program"
sessions=
destroy() { for s in $sessions; do "$LTTNG" destroy "$s" >/dev/null 2>&1; done; }
cleanup_hooks="destroy $cleanup_hooks"
record_own() { # DIR SCENARIO
  s=gha-gate-$1-$$
  s=$(echo "$s" | tr '/' '_')
  sessions="$sessions $s"
  "$LTTNG" create "$s" --output="$1" >/dev/null &&
    "$LTTNG" enable-event -u -s "$s" 'genheap:*' --filter "\$ctx.procname == \"$prog\"" >/dev/null &&
    "$LTTNG" add-context -u -s "$s" -t vpid -t vtid -t procname >/dev/null &&
    "$LTTNG" start "$s" >/dev/null || fail "cannot set up session $s"
  LTTNG_UST_REGISTER_TIMEOUT=-1 LD_PRELOAD="$PROVIDER" GENHEAP_CENSUS_MS=1000 \
    SCENARIO_SERVER_NAME=server "$work/$prog" "$2" shutdown 1500 >"$1.prog" 2>&1 ||
    fail "the $2 scenario failed"
  "$LTTNG" destroy "$s" >/dev/null
}
for s in half bloat cache; do
  record_own "$work/$s" "$s"
done
# gate_line PATTERN: the flattened gate of the JSON report in $work/out
gate_of() { "$FLATTEN" <"$work/out" | grep "^gate"; }
expect_gate() { # WANT-GREP-PATTERN WHAT
  gate_of | grep -q -- "$1" || fail "$2: gate says: $(gate_of | tr '\n' ';')"
}

# baselines: the JSON reports (--json FILE writes the same report as
# --format=json on stdout)
for s in half bloat cache; do
  expect_status "$(test $s = cache && echo 0 || echo 1)" "$ANALYZE" --json "$work/$s.json" "$work/$s"
  "$FLATTEN" <"$work/$s.json" >/dev/null || fail "$s.json does not parse"
done
expect_status 1 "$ANALYZE" --format=json "$work/half"
cmp -s "$work/out" "$work/half.json" || fail "--json and --format=json differ"

# 1. a run against its own report: the finding is known, nothing changed
expect_status 0 "$ANALYZE" --format=json --baseline "$work/half.json" "$work/half"
expect_gate "^gate status 0 " "half against half"
expect_gate "^gate finding bloat server known$" "half against half: the finding"
! gate_of | grep -q "^gate change" || fail "half against half: changes $(gate_of)"

# 2. the server's waste doubled (125,000 -> 250,000 words): a regression,
#    and the exit status says so; the text report names it
expect_status 1 "$ANALYZE" --baseline "$work/half.json" "$work/bloat"
grep -q "REGRESSION  grown  *peak_waste_words  *server: 250000 words, 125000 in the baseline (+100%)" \
  "$work/out" || fail "bloat against half: text report: $(grep -A5 '^gate' "$work/out")"
grep -q "^gate: FAILED" "$work/out" || fail "bloat against half: not FAILED"
expect_status 1 "$ANALYZE" --format=json --baseline "$work/half.json" "$work/bloat"
expect_gate "^gate change grown regression server peak_waste_words 125000 250000$" "bloat against half"
expect_gate "^gate finding bloat server known$" "bloat against half: the finding"
#    JUnit: the finding is no failure (the baseline knew it), the grown
#    waste is one, in a suite of its own
expect_status 1 "$ANALYZE" --junit "$work/j.xml" --baseline "$work/half.json" "$work/bloat"
grep -q '<skipped message="known to the baseline"/>' "$work/j.xml" || fail "JUnit: known finding not skipped"
grep -q '<testsuite name="genheap-analyze" tests="[0-9]*" failures="0" errors="0" skipped="1">' "$work/j.xml" ||
  fail "JUnit: suite counts: $(grep '<testsuite' "$work/j.xml")"
grep -q '<testsuite name="genheap-gate" tests="1" failures="1"' "$work/j.xml" &&
  grep -q '<testcase classname="genheap.gate.server" name="grown peak_waste_words">' "$work/j.xml" &&
  grep -q '<failure message="grown peak_waste_words: 250000 words, 125000 in the baseline" type="regression"/>' \
    "$work/j.xml" || fail "JUnit: the regression is not a failure: $(cat "$work/j.xml")"
#    ... unless the thresholds allow it
expect_status 0 "$ANALYZE" --gate-growth 150 --baseline "$work/half.json" "$work/bloat"
expect_status 0 "$ANALYZE" --gate-min-words 200000 --baseline "$work/half.json" "$work/bloat"
expect_status 1 "$ANALYZE" --gate-min-words 100000 --baseline "$work/half.json" "$work/bloat"

# 3. the other way round: an improvement, reported, and the gate passes
expect_status 0 "$ANALYZE" --format=json --baseline "$work/bloat.json" "$work/half"
expect_gate "^gate change shrunk improvement server peak_waste_words 250000 125000$" "half against bloat"

# 4. a finding the baseline did not have: it fails, and is the one that does
expect_status 1 "$ANALYZE" --format=json --baseline "$work/cache.json" "$work/bloat"
expect_gate "^gate change new-finding regression server bloat 0 1$" "bloat against cache"
expect_gate "^gate finding bloat server fails$" "bloat against cache: the finding"
expect_status 0 "$ANALYZE" --format=json --baseline "$work/bloat.json" "$work/cache"
expect_gate "^gate change finding-gone improvement server bloat 1 0$" "cache against bloat"

# 5. suppressions: accepted until the day after `until`; an expired one
#    no longer accepts and is a warning; an unused one a note
cat >"$work/ok.supp" <<'EOF'
# the server keeps a table on purpose in this test
server  bloat  until=2999-12-31  kept on purpose
ticker  *      never flagged: a note says so
EOF
expect_status 0 "$ANALYZE" --format=json --suppressions "$work/ok.supp" --junit "$work/j.xml" \
  "$work/bloat"
expect_gate "^gate finding bloat server suppressed$" "suppressed"
grep -q '<skipped message="suppressed: kept on purpose"/>' "$work/j.xml" ||
  fail "JUnit: the suppressed finding is not skipped with its reason"
! grep -q "<failure" "$work/j.xml" || fail "JUnit: a failure where the gate passed"
expect_gate "^gate suppression 2 server bloat used 1$" "suppression in force"
expect_gate "^gate suppression 3 ticker \* unused 0$" "unused suppression"
grep -q "note: $work/ok.supp:3: suppression matched no finding" "$work/err" ||
  fail "unused suppression not noted: $(cat "$work/err")"
printf 'server bloat until=2000-01-01 was kept on purpose\n' >"$work/old.supp"
expect_status 1 "$ANALYZE" --suppressions "$work/old.supp" "$work/bloat"
grep -q "warning: $work/old.supp:1: suppression expired on 2000-01-01: the 1 finding it matches count again" \
  "$work/err" || fail "expired suppression not warned: $(cat "$work/err")"
grep -q "line 1: server bloat until 2000-01-01: EXPIRED" "$work/out" ||
  fail "expired suppression not in the text report"
#    a finding suppressed in the baseline is new once the suppression goes
"$ANALYZE" --suppressions "$work/ok.supp" --json "$work/sup.json" "$work/bloat" >/dev/null 2>&1
expect_status 1 "$ANALYZE" --format=json --baseline "$work/sup.json" "$work/bloat"
expect_gate "^gate change new-finding regression server bloat 0 1$" "suppressed in the baseline"
expect_status 0 "$ANALYZE" --baseline "$work/sup.json" --suppressions "$work/ok.supp" "$work/bloat"

# 6. --json may replace the baseline it reads (CI keeps one file)
cp "$work/half.json" "$work/keep.json"
expect_status 1 "$ANALYZE" --baseline "$work/keep.json" --json "$work/keep.json" "$work/bloat"
"$FLATTEN" <"$work/keep.json" | grep -q "^gate change grown regression server" ||
  fail "the replaced baseline lacks the comparison"

# 7. bad gate files: exit 2 before the trace is read, one line naming them
expect_status 2 "$ANALYZE" --baseline "$work/nothing.json" "$work/half"
expect_one_line_error "$work/nothing.json" "no such file"
"$ANALYZE" "$work/half" >"$work/text-report" 2>/dev/null
expect_status 2 "$ANALYZE" --baseline "$work/text-report" "$work/half"
expect_one_line_error "$work/text-report" "not JSON at byte 0"
head -c 300 "$work/half.json" >"$work/cut.json"
expect_status 2 "$ANALYZE" --baseline "$work/cut.json" "$work/half"
expect_one_line_error "$work/cut.json" "not JSON at byte"
sed 's/"schema":2/"schema":1/' "$work/half.json" >"$work/old.json"
expect_status 2 "$ANALYZE" --baseline "$work/old.json" "$work/half"
expect_one_line_error "$work/old.json" "schema 1"
printf '# ok\nserver bloat until=2026-02-30 a date that is not\n' >"$work/bad.supp"
expect_status 2 "$ANALYZE" --suppressions "$work/bad.supp" "$work/half"
expect_one_line_error "$work/bad.supp:2:" "not a date"
printf 'server leak typo\n' >"$work/bad.supp"
expect_status 2 "$ANALYZE" --suppressions "$work/bad.supp" "$work/half"
expect_one_line_error "$work/bad.supp:1:" "unknown analysis 'leak'"
expect_status 2 "$ANALYZE" --gate-growth=inf --baseline "$work/half.json" "$work/half"
expect_one_line_error "for --gate-growth: " "invalid value 'inf'"
note "gate: ok"
