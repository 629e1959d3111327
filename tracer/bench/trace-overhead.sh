#!/bin/sh
# trace-overhead.sh -- what the genheap tracepoints cost, against no tracing.
#
# Times bench/gc-churn.c (CPU time of its work loop) in four variants:
#   a  libgenheap configured with --disable-lttng (built here, in a
#      temporary folder): the baseline
#   b  the normal libgenheap (tracepoints compiled in), probes absent
#   c  probes preloaded (LD_PRELOAD=libgenheap-lttng.so), no session
#   d  recorded by genheap-trace into a real session (all events, DEBUG too)
# The variants run interleaved, in a rotating order, RUNS times; the script
# prints each variant's median and its ratio to (a), as a Markdown table for
# BENCHMARKS.md, and the command that reproduces it.  Target: b and c within
# 2% of a.  Not part of make check: it takes minutes and its figures are
# only meaningful as ratios measured in one run.
#
# Usage: trace-overhead.sh --srcdir SRC --builddir BUILD [--runs N] [--rounds N]
#   SRC is the genheap source tree (must not be configured in place), BUILD a
#   configured and built tree with LTTng (make -C BUILD/tracer trace-overhead
#   passes both).
set -eu

runs=15
rounds=3000
srcdir=
builddir=
while [ $# -gt 0 ]; do
  case $1 in
    --srcdir) srcdir=$2; shift 2 ;;
    --builddir) builddir=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    -h | --help) sed -n '2,/^set -eu/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "trace-overhead.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
  esac
done
[ -n "$srcdir" ] && [ -n "$builddir" ] ||
  { echo "trace-overhead.sh: --srcdir and --builddir are required" >&2; exit 2; }
srcdir=$(cd "$srcdir" && pwd)
builddir=$(cd "$builddir" && pwd)
provider="$builddir/tracer/.libs/libgenheap-lttng.so"
recorder="$builddir/tracer/genheap-trace"
[ -f "$provider" ] && [ -x "$recorder" ] ||
  { echo "trace-overhead.sh: $builddir has no LTTng provider (configure with lttng-ust, make)" >&2; exit 2; }

say() { echo "trace-overhead: $*" >&2; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/gh-trace-overhead.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

say "building variant a (--disable-lttng) in $tmp/notrace"
mkdir "$tmp/notrace"
(cd "$tmp/notrace" &&
 "$srcdir/configure" --disable-lttng --disable-analyzers >configure.log 2>&1 &&
 make -C liballoc -j2 >make.log 2>&1) ||
  { say "building variant a failed; see the logs above $tmp/notrace"; trap - EXIT; exit 1; }

# One source, one compiler command, two libraries: only the tracing differs.
CC=${CC:-cc}
build_bench() { # build_bench OUTPUT LIBDIR
  $CC -O2 -std=gnu11 -I"$srcdir/liballoc/include" \
    "$srcdir/tracer/bench/gc-churn.c" -o "$1" \
    -L"$2" -lgenheap -Wl,-rpath,"$2"
}
build_bench "$tmp/churn-notrace" "$tmp/notrace/liballoc/.libs"
build_bench "$tmp/churn-trace" "$builddir/liballoc/.libs"

run_variant() { # run_variant a|b|c|d RUN: prints the work loop's seconds
  case $1 in
    a) env -u LD_PRELOAD "$tmp/churn-notrace" "$rounds" ;;
    b) env -u LD_PRELOAD "$tmp/churn-trace" "$rounds" ;;
    c) LD_PRELOAD="$provider" "$tmp/churn-trace" "$rounds" ;;
    d) "$recorder" -q -o "$tmp/trace-$2" --session "gh-overhead-$$-$2" -- \
         "$tmp/churn-trace" "$rounds" | sed -n '/^seconds=/p'
       rm -rf "$tmp/trace-$2" ;;
  esac | sed -n 's/^seconds=\([0-9.]*\).*/\1/p'
}

say "$runs interleaved runs of a, b, c, d ($rounds rounds each)"
order="a b c d"
i=1
while [ "$i" -le "$runs" ]; do
  for v in $order; do
    s=$(run_variant "$v" "$i")
    [ -n "$s" ] || { say "variant $v produced no timing"; exit 1; }
    echo "$v $s" >>"$tmp/times"
  done
  order="${order#* } ${order%% *}" # rotate: no variant always runs first
  i=$((i + 1))
done

# stat VARIANT: "median min max" of the variant's times.
stat() {
  awk -v v="$1" '$1 == v { print $2 }' "$tmp/times" | sort -g |
    awk '{ x[NR] = $1 }
         END { m = (NR % 2) ? x[(NR + 1) / 2] : (x[NR / 2] + x[NR / 2 + 1]) / 2;
               print m, x[1], x[NR] }'
}

base=$(stat a | cut -d' ' -f1)
echo "| variant | median CPU (s) | min (s) | max (s) | median / median (a) |"
echo "|---|---|---|---|---|"
for v in a b c d; do
  case $v in
    a) label="(a) --disable-lttng" ;;
    b) label="(b) tracepoints compiled in, provider absent" ;;
    c) label="(c) provider preloaded, no session" ;;
    d) label="(d) genheap-trace session, all events" ;;
  esac
  stat "$v" | awk -v l="$label" -v b="$base" \
    '{ printf "| %s | %.4f | %.4f | %.4f | %.3f |\n", l, $1, $2, $3, $1 / b }'
done
echo
echo "$runs runs per variant, $rounds rounds of bench/gc-churn.c each; CPU time of the work loop."
echo "Reproduce: make -C BUILD/tracer trace-overhead, or"
echo "  sh tracer/bench/trace-overhead.sh --srcdir SRC --builddir BUILD --runs $runs --rounds $rounds"
