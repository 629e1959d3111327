#!/bin/sh
# run-fuzz.sh SECONDS -- builds the libFuzzer harnesses with clang and runs
# each for SECONDS (CI: about 60), failing on any crash, sanitizer report,
# leak or model mismatch, and printing the input that reproduces it.
#
#   fuzz_ops    genheap operation sequences checked against the reference
#               model (tests/model/ops.c), corpus tests/fuzz/corpus/ops/
#   fuzz_trace  genheap-analyze on mutated CTF streams, corpus
#               tests/fuzz/corpus/trace/ (skipped without babeltrace2 headers)
#
# Everything is built and written under $GENHEAP_FUZZ_DIR (default: a new
# folder under /tmp, printed): bin/, corpus/ (the checked-in seeds plus what
# the fuzzer finds; the source tree is never written), crashes/, logs.
# Environment: CLANG (default clang), GENHEAP_FUZZ_JOBS (parallel workers per
# harness, default 1), GENHEAP_FUZZ_CFLAGS (added to the compile flags, e.g.
# -fno-sanitize=pointer-overflow to look past a known report),
# GENHEAP_FUZZ_ONLY (fuzz_ops or fuzz_trace: run that one only).  Longer
# runs: tests/fuzz/README.md.
set -eu

[ $# -eq 1 ] || { echo "usage: run-fuzz.sh SECONDS" >&2; exit 2; }
seconds=$1
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
cc=${CLANG:-clang}
out=${GENHEAP_FUZZ_DIR:-$(mktemp -d /tmp/genheap-fuzz.XXXXXX)}
jobs=${GENHEAP_FUZZ_JOBS:-1}
mkdir -p "$out/bin" "$out/cfg" "$out/crashes"
echo "run-fuzz: building and fuzzing in $out"

command -v "$cc" >/dev/null 2>&1 || { echo "run-fuzz: $cc not found" >&2; exit 2; }

# Coverage-instrumented, address and undefined-behaviour checked.  The
# library is compiled from source into the harness, so its branches guide
# the fuzzer.  An empty config.h: no LTTng tracepoints in the fuzz build.
cflags="-g -O1 -std=gnu11 -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined ${GENHEAP_FUZZ_CFLAGS:-}"
: >"$out/cfg/config.h"

build_ops() {
  # shellcheck disable=SC2046
  $cc $cflags -I"$out/cfg" -I"$top/liballoc/include" -I"$top/liballoc/src" \
    -I"$top/tests/model" \
    $(ls "$top"/liballoc/src/*.c | grep -v tracepoints.c) \
    "$top/tests/model/ops.c" "$here/fuzz_ops.c" \
    -lpthread -lm -o "$out/bin/fuzz_ops"
}

build_trace() {
  a="$top/analyzers"
  # shellcheck disable=SC2046
  $cc $cflags -I"$a/core" -I"$a/report" -I"$a/bt2" -I"$a/cli" -I"$a/gate" \
    -I"$top/liballoc/include" \
    $(pkg-config --cflags babeltrace2) \
    "$a"/core/*.c "$a"/report/*.c "$a"/gate/*.c "$a/bt2/convert.c" "$a/bt2/sink.c" \
    "$a/cli/graph.c" "$a/cli/precheck.c" "$a/cli/watchdog.c" "$here/fuzz_trace.c" \
    $(pkg-config --libs babeltrace2) -lpthread -lm -o "$out/bin/fuzz_trace"
}

# run NAME CORPUS MAXLEN "FLAGS" [ENV...]: fuzz for $seconds, starting from
# the checked-in corpus/CORPUS, with extra libFuzzer FLAGS; 0, or 1 with the
# reproducers.
run() {
  name=$1 corpus=$2 maxlen=$3 flags=$4
  shift 4
  mkdir -p "$out/corpus/$name"
  cp "$here/corpus/$corpus"/* "$out/corpus/$name/" 2>/dev/null || true
  echo "run-fuzz: $name for ${seconds}s"
  # Leaks inside babeltrace2's own plugins are not ours to fix: only the
  # ops harness checks for leaks.
  if env "$@" "$out/bin/$name" -max_total_time="$seconds" -timeout=10 \
      -rss_limit_mb=2048 -max_len="$maxlen" -print_final_stats=1 \
      $flags \
      -artifact_prefix="$out/crashes/$name-" "$out/corpus/$name" \
      >"$out/$name.log" 2>&1; then
    grep -E '^stat::number_of_executed_units|^#[0-9]+.*DONE' "$out/$name.log" | tail -2
    return 0
  fi
  tail -60 "$out/$name.log"
  echo "run-fuzz: $name FAILED; log: $out/$name.log"
  for f in "$out/crashes/$name"-*; do
    [ -e "$f" ] || continue
    echo "run-fuzz: reproducer: $f"
    echo "run-fuzz:   replay: $* $out/bin/$name $f"
  done
  return 1
}

status=0
only=${GENHEAP_FUZZ_ONLY:-}
if [ -z "$only" ] || [ "$only" = fuzz_ops ]; then
  build_ops || { echo "run-fuzz: cannot build fuzz_ops" >&2; exit 1; }
  run fuzz_ops ops 4096 "-jobs=$jobs -workers=$jobs" \
    ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 || status=1
fi

if [ -n "$only" ] && [ "$only" != fuzz_trace ]; then
  :
elif ! pkg-config --exists babeltrace2 2>/dev/null; then
  echo "run-fuzz: fuzz_trace skipped (no babeltrace2 development files)"
elif ! build_trace; then
  echo "run-fuzz: cannot build fuzz_trace" >&2
  status=1
else
  # A timeout or an out-of-memory is a failure, as in fuzz_ops: the harness
  # pre-checks each trace as genheap-analyze does, which rejects the streams
  # babeltrace2 2.0.4 cannot survive (known/), so anything else that hangs
  # or grows it is a new finding.  Fork mode with nothing ignored: each job
  # is a new process, because babeltrace2 leaks the messages of a stream
  # that fails to decode (several KB per input on average, up to 400 KB):
  # in one long-lived process that alone would reach -rss_limit_mb.
  run fuzz_trace trace 65536 \
    "-fork=$jobs -ignore_crashes=0 -ignore_ooms=0 -ignore_timeouts=0" \
    GENHEAP_FUZZ_METADATA="$here/trace-metadata" \
    ASAN_OPTIONS=detect_leaks=0 UBSAN_OPTIONS=print_stacktrace=1 || status=1
fi

[ $status -eq 0 ] && echo "run-fuzz: no crash in ${seconds}s per harness"
exit $status
