#!/bin/sh
# recorder-discarded.sh -- the lost-events warning counts in integers.
#
# A wrapper in front of the real lttng (GENHEAP_TRACE_LTTNG) adds channel
# statistics to `lttng list SESSION`: two channels with small counts must be
# summed exactly; a count lttng cannot really mean (2^63 - 1, which awk used
# to print as "9.22337e+18 events were discarded") or one that is not a
# number must give a warning that says the count is unknown.
. "$GH_SRCDIR/tests/lib.sh"
require_lttng

fake="$scratch/lttng"
cat >"$fake" <<FAKE
#!/bin/sh
# Real lttng; after "list SESSION", one "Discarded events" line per word of
# \$FAKE_DISCARDED.
"$LTTNG" "\$@" || exit \$?
if [ "\$2" = list ] && [ \$# -eq 3 ]; then
  for n in \$FAKE_DISCARDED; do
    printf '    Statistics:\n      Discarded events: %s\n' "\$n"
  done
fi
FAKE
chmod +x "$fake"

# warning_for NAME COUNTS: record with lttng reporting COUNTS; $got is then
# the recorder's warning about discarded events (or empty).
warning_for() {
  FAKE_DISCARDED=$2 GENHEAP_TRACE_LTTNG=$fake \
    "$recorder" --session "$(session_name "$1")" -o "$scratch/t-$1" -- \
    "$workload" --rounds 1 >/dev/null 2>"$scratch/err" </dev/null ||
    fail "genheap-trace failed with discarded counts '$2': $(cat "$scratch/err")"
  got=$(grep 'discarded' "$scratch/err")
}

warning_for none "0 0"
[ -z "$got" ] || fail "no events lost, yet: $got"
warning_for sum "12 30"
case $got in
  *": warning: 42 events were discarded "*) ;;
  *) fail "12 + 30 discarded events gave: '$got'" ;;
esac
i=0
for count in 9223372036854775807 18446744073709551615 -1 unknown; do
  i=$((i + 1))
  warning_for "odd$i" "5 $count"
  case $got in
    *[0-9]e+[0-9]* | *"-1 events"* | "") fail "lttng count $count gave: '$got'" ;;
    *": warning: an unknown number of events were discarded"*) ;;
    *) fail "lttng count $count gave: '$got'" ;;
  esac
done
pass "discarded-event counts summed as integers, unknown counts said so"
