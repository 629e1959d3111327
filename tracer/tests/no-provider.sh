#!/bin/sh
# no-provider.sh -- libgenheap runs without the probes and needs no LTTng.
#
# libgenheap.so must not list liblttng-ust in ldd (dynamic tracepoint
# linkage: only libdl).  tp-workload, run with no provider and no session,
# must work and must not have the LTTng tracer mapped; when the provider is
# built, a run with it preloaded (no session) must print exactly the same
# counters: loading the probes does not change what the library does.
. "$GH_SRCDIR/tests/lib.sh"

lib="$GH_TOP_BUILDDIR/liballoc/.libs/libgenheap.so"
[ -f "$lib" ] || fail "$lib was not built"
ldd "$lib" >"$scratch/ldd" 2>&1 || fail "ldd $lib failed: $(cat "$scratch/ldd")"
if grep -q 'liblttng-ust' "$scratch/ldd"; then
  fail "libgenheap.so depends on LTTng: $(grep liblttng-ust "$scratch/ldd" | tr -s ' \t' ' ')"
fi

env -u LD_PRELOAD "$workload" --rounds 100 --maps >"$scratch/plain" 2>"$scratch/plain.err" ||
  fail "tp-workload failed without the provider: $(head -n 3 "$scratch/plain.err")"
grep -q '^proc ' "$scratch/plain" || fail "tp-workload printed no proc line"
if grep -q '^map .*liblttng-ust\.so' "$scratch/plain"; then
  fail "the LTTng tracer was loaded with no provider: $(grep -m1 '^map ' "$scratch/plain")"
fi

provider="$GH_BUILDDIR/.libs/libgenheap-lttng.so"
if [ "${GH_HAVE_LTTNG:-no}" = yes ]; then
  [ -f "$provider" ] || fail "$provider was not built"
  LD_PRELOAD="$provider" "$workload" --rounds 100 --maps >"$scratch/probes" 2>"$scratch/probes.err" ||
    fail "tp-workload failed with the provider preloaded: $(head -n 3 "$scratch/probes.err")"
  # The maps check above can see the tracer when it is there.
  grep -q '^map .*liblttng-ust\.so' "$scratch/probes" ||
    fail "liblttng-ust.so not mapped although the provider was preloaded"
  grep '^proc ' "$scratch/plain" >"$scratch/plain.procs"
  grep '^proc ' "$scratch/probes" >"$scratch/probes.procs"
  cmp -s "$scratch/plain.procs" "$scratch/probes.procs" ||
    fail "counters differ with the provider preloaded: $(diff "$scratch/plain.procs" "$scratch/probes.procs" | head -n 2 | tr '\n' ' ')"
fi
pass "libgenheap runs without LTTng"
