#!/bin/sh
# recorder-census.sh -- --census-interval reaches the command as GENHEAP_CENSUS_MS.
#
# libgenheap takes a census of a process that has waited in gh_wait for at
# least GENHEAP_CENSUS_MS (0: never).  genheap-trace exports the variable:
# --census-interval MS when given, else the user's own GENHEAP_CENSUS_MS,
# else 1000.  Bad values are usage errors before any LTTng set-up.  `env`
# is the command: it is not linked with genheap, so the recorder warns that
# the trace is empty, which must not change the status.
. "$GH_SRCDIR/tests/lib.sh"

expect_usage_error() { # expect_usage_error VALUE
  "$recorder" --census-interval "$1" -- true >"$scratch/out" 2>"$scratch/err" </dev/null
  got=$?
  [ "$got" -eq 125 ] || fail "--census-interval '$1': exit $got, expected 125"
  grep -q -- '--census-interval' "$scratch/err" || fail "--census-interval '$1': error does not name the option: $(cat "$scratch/err")"
}
for bad in '' abc -1 +5 ' 5' 1e3 1.5 86400001 999999999999999999999; do
  expect_usage_error "$bad"
done
"$recorder" --help >"$scratch/help" || fail "--help failed"
grep -q -- '--census-interval MS' "$scratch/help" || fail "--help does not document --census-interval"
"$recorder" -e census -- gh-no-such-command-$$ >/dev/null 2>&1
[ $? -eq 127 ] || fail "-e census is refused"

require_lttng
# census_seen NAME WANT [ARGS...]: run env under the recorder; its
# GENHEAP_CENSUS_MS must be WANT.
census_seen() {
  name=$1 want=$2
  shift 2
  "$recorder" --session "$(session_name "$name")" -o "$scratch/$name" "$@" -- env \
    >"$scratch/out" 2>"$scratch/err" </dev/null ||
    fail "$name: genheap-trace exited $?: $(cat "$scratch/err")"
  seen=$(sed -n 's/^GENHEAP_CENSUS_MS=//p' "$scratch/out")
  [ "$seen" = "$want" ] || fail "$name: the command saw GENHEAP_CENSUS_MS='$seen', expected '$want'"
}
unset GENHEAP_CENSUS_MS
census_seen default 1000
census_seen given 250 --census-interval 250
census_seen off 0 --census-interval=0
census_seen leading-zeros 7 --census-interval=007
census_seen maximum 86400000 --census-interval 86400000
GENHEAP_CENSUS_MS=77 census_seen user-env 77
GENHEAP_CENSUS_MS=77 census_seen option-wins 5 --census-interval 5
pass "--census-interval validated and exported as GENHEAP_CENSUS_MS"
