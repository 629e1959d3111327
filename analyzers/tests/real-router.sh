#!/bin/sh
# real-router.sh -- the refc-binary leak on a real trace: a router that
# forwards binaries and then idles is flagged by binleak, with the held
# words the library reports; the same router with hibernate_after (gh_wait
# + gh_runtime_hibernate_idle) is not.
. "$srcdir/tests/lib.sh"
need_lttng

record "$work/leak" "$TESTS_BIN/router" 1500
vpid=$(vpid_of router)
expect_status 1 "$ANALYZE" --format=json "$work/leak"
"$FLATTEN" <"$work/out" | grep " $vpid " >"$work/mine" || fail "no process of $vpid"
note "$(cat "$work/mine")"
line=$(grep "^finding binleak warning [^ ]* $vpid $(stat_of router pid) router " "$work/mine") ||
  fail "the router was not flagged by binleak"
held=$(echo "$line" | awk '{print $8}')
[ "$held" = "$(stat_of router bin_old_vheap_size)" ] ||
  fail "held $held, library bin_old_vheap_size $(stat_of router bin_old_vheap_size)"

record "$work/hib" "$TESTS_BIN/router" --hibernate 1500
vpid=$(vpid_of router)
[ "$(stat_of router hibernations)" -ge 1 ] || fail "the router did not hibernate"
"$ANALYZE" --format=json "$work/hib" >"$work/out" 2>"$work/err"
[ $? -le 1 ] || fail "analyzer failed: $(cat "$work/err")"
"$FLATTEN" <"$work/out" | grep " $vpid " >"$work/mine"
note "$(cat "$work/mine")"
! grep -q "^finding binleak " "$work/mine" || fail "hibernating router flagged"
grep -q "^proc [^ ]* $vpid [0-9]* router freed [0-9]* [0-9]* [1-9]" "$work/mine" ||
  fail "the analyzer did not see the hibernation"
note "real router: ok"
