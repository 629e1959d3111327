#!/bin/sh
# schema-fields.sh -- an event class that lacks the GC-info block (full
# sweeps here) is read field by field: what is absent counts as zero, and
# nothing is read that the trace did not set.  Run under valgrind, which
# reports a read of the uninitialised event the converter used to build.
. "$srcdir/tests/lib.sh"
command -v valgrind >/dev/null 2>&1 || skip "valgrind not installed"
# an ASan build cannot run under valgrind (the ASan phase sets ASAN_OPTIONS)
[ -z "${ASAN_OPTIONS:-}" ] || skip "sanitizer build: valgrind cannot run it"
sh "$srcdir/tests/make-ctf.sh" "$work/t" majornoinfo
expect_status 0 valgrind -q --error-exitcode=9 --leak-check=no \
  --undef-value-errors=yes "$ANALYZE" --format=json "$work/t"
"$FLATTEN" <"$work/out" >"$work/flat" || fail "JSON does not parse"
grep -q "^proc handmade 4242 1 p alive 1 0 0 100000 0 0 0$" "$work/flat" ||
  fail "figures differ from the trace's: $(cat "$work/flat")"
note "schema-fields: ok"
