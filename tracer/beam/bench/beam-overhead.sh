#!/bin/bash
# beam-overhead.sh -- what recording a BEAM node costs, against the same
# node untraced, on the workloads of docs/beam-tracing-notes.md: 100
# processes building and dropping lists (tests/gc_load.erl), Rounds x Len:
#   moderate  300 x 10,000-element lists   (about 70k GC events)
#   medium    3,000 x 1,000                (about 300k)
#   heavy     30,000 x 100                 (about 6M)
# Variants: untraced; recorded with genheap_beam:start/2 on its defaults;
# recorded with drop_starts => minor.  Each run is a fresh node.  Runs are
# interleaved, in a rotating order, RUNS times, so that load changes hit
# all variants alike; the script prints medians and their ratios to the
# untraced run as a Markdown table for BENCHMARKS.md.  Wall time is the
# workload's; CPU time is the whole runtime's (statistics(runtime): the
# recorder's work included).  Not part of make check.
#
# Usage: beam-overhead.sh --srcdir SRC --builddir BUILD [--runs N]
#   (make -C BUILD/tracer/beam beam-overhead passes both)
set -eu

runs=5
srcdir= builddir=
while [ $# -gt 0 ]; do
  case $1 in
    --srcdir) srcdir=$2; shift 2 ;;
    --builddir) builddir=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    -h | --help) sed -n '2,/^set -eu/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "beam-overhead.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
  esac
done
[ -n "$srcdir" ] && [ -n "$builddir" ] ||
  { echo "beam-overhead.sh: --srcdir and --builddir are required" >&2; exit 2; }
ERL=${ERL:-erl}
ERLC=${ERLC:-erlc}
ebin="$builddir/ebin"
work=$(mktemp -d "${TMPDIR:-/tmp}/gh-beam-overhead.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir "$work/ebin"
"$ERLC" -o "$work/ebin" "$srcdir/tests/gc_load.erl"

workloads="moderate:100:300:10000 medium:100:3000:1000 heavy:100:30000:100"
variants="untraced traced drop_minor"

one() { # VARIANT PROCS ROUNDS LEN -> "elapsed gcs peak cpu events lost"
  local v=$1 p=$2 r=$3 l=$4 out
  rm -rf "$work/trace"
  case $v in
    untraced) out=$("$ERL" -noshell -pa "$work/ebin" -run gc_load main run "$p" "$r" "$l")
              echo "$out" | awk '{print $2, $4, $6, $8, 0, 0}' ;;
    traced) out=$("$ERL" -noshell -pa "$ebin" -pa "$work/ebin" -run gc_load main record \
                  "$work/trace" '#{}' "$p" "$r" "$l")
            echo "$out" | awk 'NR==1 {a=$2" "$4" "$6" "$8} NR==2 {print a, $3, $5}' ;;
    drop_minor) out=$("$ERL" -noshell -pa "$ebin" -pa "$work/ebin" -run gc_load main record \
                      "$work/trace" '#{drop_starts => minor}' "$p" "$r" "$l")
                echo "$out" | awk 'NR==1 {a=$2" "$4" "$6" "$8} NR==2 {print a, $3, $5}' ;;
  esac
}

median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
for w in $workloads; do
  IFS=: read -r name p r l <<<"$w"
  for i in $(seq 1 "$runs"); do
    vs=($variants)
    for k in 0 1 2; do
      v=${vs[$(( (k + i) % 3 ))]}
      one "$v" "$p" "$r" "$l" >>"$work/$name.$v"
    done
    echo "$name run $i done" >&2
  done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2

echo "| workload | variant | wall ms | wall ratio | CPU ms | CPU ratio | GCs | events written | events lost | peak memory MB |"
echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"
for w in $workloads; do
  IFS=: read -r name p r l <<<"$w"
  bw=$(cut -d' ' -f1 "$work/$name.untraced" | median)
  bc=$(cut -d' ' -f4 "$work/$name.untraced" | median)
  for v in $variants; do
    f="$work/$name.$v"
    mw=$(cut -d' ' -f1 "$f" | median); mc=$(cut -d' ' -f4 "$f" | median)
    gcs=$(cut -d' ' -f2 "$f" | median); pk=$(cut -d' ' -f3 "$f" | median)
    ev=$(cut -d' ' -f5 "$f" | median); lost=$(cut -d' ' -f6 "$f" | median)
    pct=$(awk -v e="$ev" -v d="$lost" 'BEGIN { t = e + d; printf "%s", (t > 0 ? sprintf("%.0f%%", 100 * d / t) : "-") }')
    awk -v n="$name ($r x $l)" -v v="$v" -v mw="$mw" -v bw="$bw" -v mc="$mc" -v bc="$bc" \
        -v g="$gcs" -v e="$ev" -v d="$lost" -v pc="$pct" -v pk="$pk" 'BEGIN {
      printf "| %s | %s | %.0f | %.2fx | %.0f | %.2fx | %d | %d | %d (%s) | %d |\n",
             n, v, mw, mw / bw, mc, mc / bc, g, e, d, pc, pk }'
  done
done
echo
echo "Median of $runs runs each; command: make -C BUILD/tracer/beam beam-overhead (RUNS=$runs)"
