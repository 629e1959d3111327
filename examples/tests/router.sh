#!/bin/sh
# router.sh -- the router example leaks without a fix and not with one,
# counted by the library's own statistics (gh_proc_info, gh_runtime_stats)
# that the program prints at idle.
. "${GH_SRCDIR:-.}/tests/lib.sh"
R=$EX/router/router
[ -x "$R" ] || fail "$R not built"
expect_help "$R"
expect_usage_error "$R" --bogus
expect_usage_error "$R" --requests 12x
expect_usage_error "$R" --hibernate-after -5
expect_usage_error "$R" extra-argument

if [ "$stress" = yes ]; then load="--requests 300"; else load="--requests 1000"; fi
quick="--idle-ms 0 $load"

# No fix: after the burst the router idles still holding dead binaries.
# A large min_bin_vheap_size keeps vheap-overflow sweeps away, so that the
# dead binaries are certainly on the old heap (with the default, a sweep
# late in the burst can leave the idle router holding them young instead).
run leak "$R" $quick --min-bin-vheap 16000000
expect leak router errors -eq 0
expect leak router hibernations -eq 0
expect leak runtime binaries_alive -gt 0
# Every binary still alive is held by the router (clients and workers ended).
[ "$(stat_of leak runtime binaries_alive)" = "$(stat_of leak router refc_binaries)" ] ||
  fail "binaries alive elsewhere than in the router"
if [ "$stress" = no ]; then
  # promoted to the old heap, where only a full sweep would find them dead
  expect leak router bin_old_vheap_size -gt 0
  expect leak router old_heap_block_size -gt 0
fi

# --hibernate-after: swept and shrunk while idle, nothing held.
run hib "$R" $quick --hibernate-after 20
expect hib router errors -eq 0
expect hib router hibernations -ge 1
expect hib router refc_binaries -eq 0
expect hib router bin_old_vheap_size -eq 0
expect hib router old_heap_block_size -eq 0
expect hib runtime binaries_alive -eq 0
expect hib runtime binary_bytes -eq 0

# --short-lived: binaries only ever live in per-request workers.
run short "$R" $quick --short-lived
expect short router errors -eq 0
expect short router refc_binaries -eq 0
expect short runtime binaries_alive -eq 0
expect short runtime processes_alive -eq 1

# --fullsweep-after 0: every GC is a full sweep, so there is never an old
# heap to leak into (the young heap still holds the last binaries).
run sweep "$R" $quick --fullsweep-after 0
expect sweep router errors -eq 0
expect sweep router minor_gcs -eq 0
expect sweep router bin_old_vheap_size -eq 0
note "router: ok"
