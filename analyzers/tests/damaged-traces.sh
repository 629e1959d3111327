#!/bin/sh
# damaged-traces.sh -- damaged real traces never hang, abort or exhaust
# memory: exit 2 with one line naming the file (and the packet offset), or,
# for a partial trace that can still be read, an analysis with a warning.
# Regression traces (tests/traces/, see its README): valid/ (a 2-stream
# LTTng recording with its index), metadata-cut/ (babeltrace2 2.0.4 spun
# forever on it), size-bit63/ (babeltrace2 aborted).  Every run is under
# `timeout`, so a regression fails instead of hanging the suite.  No LTTng
# needed.
. "$srcdir/tests/lib.sh"
traces=$srcdir/tests/traces
LIMIT=20

# run WANT CMD...: expect_status under a time limit
run() {
  want=$1; shift
  expect_status "$want" timeout "$LIMIT" "$@"
}
# a writable copy of a regression trace, symbolic links resolved
copy() { rm -rf "$work/$2"; cp -RL "$traces/$1" "$work/$2"; }

# control: the valid trace is analysed, silently, and said whole
run 0 "$ANALYZE" "$traces/valid"
[ ! -s "$work/err" ] || fail "valid trace: unexpected stderr: $(cat "$work/err")"
! grep -qi "partial" "$work/out" || fail "valid trace called partial: $(head -3 "$work/out")"
run 0 "$ANALYZE" --format=json "$traces/valid"
"$FLATTEN" <"$work/out" | grep -qx "checks 1 2 3 0 0 false false" ||
  fail "valid trace: input checks $("$FLATTEN" <"$work/out" | grep '^checks')"
# not checked: null, not "whole"
run 0 env GENHEAP_ANALYZE_PRECHECK=0 "$ANALYZE" --format=json "$traces/valid"
"$FLATTEN" <"$work/out" | grep -qx "checks none" || fail "unchecked trace has input checks"

# 1. metadata cut inside a packet: babeltrace2 spun at 100% CPU
run 2 "$ANALYZE" "$traces/metadata-cut"
expect_one_line_error "metadata-cut/metadata" "truncated"
# ... at any point: never a hang (the seed replays the cut points)
seed=${GHA_CUT_SEED:-$$}
size=$(wc -c <"$traces/valid/metadata")
cuts=$(awk -v s="$seed" -v n="$size" 'BEGIN { srand(s); for (i = 0; i < 25; i++) print int(rand() * n) }')
copy valid cut
for c in $cuts; do
  head -c "$c" "$traces/valid/metadata" >"$work/cut/metadata"
  timeout "$LIMIT" "$ANALYZE" "$work/cut" >"$work/out" 2>"$work/err"
  got=$?
  case $got in
  0 | 1) ;;
  2) grep -q "cut/metadata" "$work/err" ||
       fail "metadata cut at $c (seed $seed): error does not name the file: $(cat "$work/err")" ;;
  *) fail "metadata cut at $c (seed $seed): exit $got" ;;
  esac
done
note "metadata cuts: 25 (seed $seed), no hang"

# 2. bit 63 of a packet size: babeltrace2 asserted (SIGABRT, 134)
run 2 "$ANALYZE" "$traces/size-bit63"
expect_one_line_error "size-bit63/genheap_0" "packet at offset 4096"
copy valid c63
printf '\200' | dd of="$work/c63/genheap_0" bs=1 seek=$((4096 + 48 + 7)) conv=notrunc 2>/dev/null
run 2 "$ANALYZE" "$work/c63"
expect_one_line_error "c63/genheap_0" "packet at offset 4096"

# 3. the known unbounded-memory stream (tests/fuzz/known): rejected up front
copy valid known
cp "$top_srcdir/tests/fuzz/known/bt2-unbounded-memory" "$work/known/genheap_0"
rm -f "$work/known/index/genheap_0.idx"
run 2 "$ANALYZE" "$work/known"
expect_one_line_error "known/genheap_0" "packet at offset 0"

# the watchdog behind the pre-check: the same inputs with the pre-check off
run 2 env GENHEAP_ANALYZE_PRECHECK=0 GENHEAP_ANALYZE_STALL_TIMEOUT=0 \
  GENHEAP_ANALYZE_MEMORY_LIMIT=256M "$ANALYZE" "$work/known"
expect_one_line_error "known" "more than 256 MiB"
run 2 env GENHEAP_ANALYZE_PRECHECK=0 GENHEAP_ANALYZE_STALL_TIMEOUT=2 \
  "$ANALYZE" "$traces/metadata-cut"
expect_one_line_error "metadata-cut" "no progress in 2 s"
run 2 env GENHEAP_ANALYZE_MEMORY_LIMIT=lots "$ANALYZE" "$traces/valid"
expect_one_line_error "GENHEAP_ANALYZE_MEMORY_LIMIT" "invalid value"

# 4. partial traces: what cannot be read is an error naming the file...
copy valid fifo
rm "$work/fifo/genheap_1" && mkfifo "$work/fifo/genheap_1"
run 2 "$ANALYZE" "$work/fifo"
expect_one_line_error "fifo/genheap_1" "a FIFO"
copy valid zero
rm "$work/zero/genheap_1" && ln -s /dev/zero "$work/zero/genheap_1"
run 2 "$ANALYZE" "$work/zero"
expect_one_line_error "zero/genheap_1" "link to /dev/zero"
copy valid dangling
rm "$work/dangling/genheap_1" && ln -s "$work/nowhere" "$work/dangling/genheap_1"
run 2 "$ANALYZE" "$work/dangling"
expect_one_line_error "dangling/genheap_1" "dangling"
copy valid foreign # a stream of another recording session: another uuid
printf '\377' | dd of="$work/foreign/genheap_1" bs=1 seek=4 conv=notrunc 2>/dev/null
run 2 "$ANALYZE" "$work/foreign"
expect_one_line_error "foreign/genheap_1" "stream of another trace"
copy valid badindex
printf '\001' | dd of="$work/badindex/index/genheap_0.idx" bs=1 seek=$((16 + 72 + 23)) conv=notrunc 2>/dev/null
run 2 "$ANALYZE" "$work/badindex"
expect_one_line_error "badindex/index/genheap_0.idx" "entry 1"

# ... what lacks data is analysed, with a warning naming the file
copy valid emptied
: >"$work/emptied/genheap_1"
run 0 "$ANALYZE" "$work/emptied"
[ "$(wc -l <"$work/err")" -eq 1 ] || fail "emptied: $(cat "$work/err")"
grep -q "warning: .*emptied/genheap_1: empty, but its index lists 1 packets" "$work/err" ||
  fail "emptied stream not reported: $(cat "$work/err")"
grep -q "^PARTIAL TRACE: 1 of 2 stream files lack packets" "$work/out" ||
  fail "emptied: the text report does not say the trace is partial: $(head -3 "$work/out")"
run 0 "$ANALYZE" --format=json "$work/emptied"
"$FLATTEN" <"$work/out" | grep -qx "checks 1 2 2 1 1 false true" ||
  fail "emptied: input checks $("$FLATTEN" <"$work/out" | grep '^checks')"
copy valid boundary
head -c 4096 "$traces/valid/genheap_0" >"$work/boundary/genheap_0"
run 0 "$ANALYZE" "$work/boundary"
grep -q "warning: .*boundary/genheap_0: cut at a packet boundary: 1 of the 2 packets" "$work/err" ||
  fail "stream cut at a packet boundary not reported: $(cat "$work/err")"
run 0 "$ANALYZE" --format=json "$work/boundary"
"$FLATTEN" <"$work/out" | grep -qx "checks 1 2 2 0 1 false true" ||
  fail "boundary: input checks $("$FLATTEN" <"$work/out" | grep '^checks')"
copy valid noindex # an empty stream and no index: nothing says it was cut
rm -r "$work/noindex/index" && : >"$work/noindex/genheap_1"
run 0 "$ANALYZE" "$work/noindex"
grep -q "warning: .*noindex/genheap_1: empty stream file" "$work/err" ||
  fail "empty stream not reported: $(cat "$work/err")"
run 0 "$ANALYZE" --format=json "$work/noindex" # empty, but not known to lack data
"$FLATTEN" <"$work/out" | grep -q "^checks 1 2 [0-9]* 1 0 false false$" ||
  fail "noindex: input checks $("$FLATTEN" <"$work/out" | grep '^checks')"

# 5. SIGINT on a trace read from disk: no report, status 130, said so (here
# while babeltrace2 is stuck, which no ^C used to end)
GENHEAP_ANALYZE_PRECHECK=0 GENHEAP_ANALYZE_STALL_TIMEOUT=0 \
  timeout "$LIMIT" "$ANALYZE" "$traces/metadata-cut" >"$work/out" 2>"$work/err" &
pid=$!
# wait until it spins (0.5 s of CPU time): on a loaded machine the start-up
# alone can take longer than any fixed sleep
# ($pid is timeout's; the analyzer is its child)
cpu_ticks() {
  child=$(pgrep -P "$1" | head -n 1)
  [ -n "$child" ] && awk '{ print $14 + $15 }' "/proc/$child/stat" 2>/dev/null || echo 0
}
n=0
while [ "$(cpu_ticks "$pid")" -lt 50 ] && [ "$n" -lt 150 ]; do sleep 0.1; n=$((n + 1)); done
kill -INT "$pid"
wait "$pid"
got=$?
[ "$got" = 130 ] || fail "SIGINT on disk input: exit $got, want 130: $(cat "$work/err")"
expect_one_line_error "genheap-analyze" "interrupted before the end of the trace: no report"
note "damaged traces: ok"
