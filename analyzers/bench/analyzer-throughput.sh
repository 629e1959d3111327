#!/bin/sh
# analyzer-throughput.sh -- genheap-analyze against babeltrace2's dummy
# sink on the same large trace, timed alternately in one run (best of
# REPS), printing the ratio.  The dummy sink decodes every event and does
# nothing: the floor for anything built on babeltrace2.  Not part of make
# check.  Run from the build tree: make -C analyzers bench
# Environment: GCS (per process, default 4000), PROCS (64), REPS (3).
set -eu
top_builddir=${top_builddir:-..}
ANALYZE=$top_builddir/analyzers/genheap-analyze
STORM=$top_builddir/analyzers/bench/gc-storm
RECORDER=$top_builddir/tracer/genheap-trace
BABELTRACE2=${BABELTRACE2:-babeltrace2}
GCS=${GCS:-4000} PROCS=${PROCS:-64} REPS=${REPS:-3}

work=$(mktemp -d "${TMPDIR:-/tmp}/gha-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
export LTTNG_HOME="$work/home"
mkdir -p "$LTTNG_HOME"

"$RECORDER" -q -o "$work/trace" -- "$STORM" "$GCS" "$PROCS" >/dev/null
size=$(du -sm "$work/trace" | cut -f1)

now() { date +%s.%N; }
best_of() { # CMD...: best wall time of REPS runs, stdout discarded
  best=
  for _ in $(seq "$REPS"); do
    t0=$(now); "$@" >/dev/null; t1=$(now)
    best=$(echo "$t0 $t1 ${best:-1e9}" | awk '{d = $2 - $1; print (d < $3 ? d : $3)}')
  done
  echo "$best"
}

events=$("$ANALYZE" --format=json --fail-on=never "$work/trace" |
  sed -n 's/.*"events":\([0-9]*\),"discarded_events":\([0-9]*\).*/\1 \2/p')
# alternate the two so machine noise hits both alike
dummy=$(best_of "$BABELTRACE2" "$work/trace" -c sink.utils.dummy)
analyze=$(best_of "$ANALYZE" --fail-on=never "$work/trace")
dummy2=$(best_of "$BABELTRACE2" "$work/trace" -c sink.utils.dummy)
analyze2=$(best_of "$ANALYZE" --fail-on=never "$work/trace")
set -- $events
echo "$1 $2 $size $dummy $dummy2 $analyze $analyze2" | awk '{
  d = ($4 < $5 ? $4 : $5); a = ($6 < $7 ? $6 : $7)
  printf "trace:               %d events (%d lost by the tracer), %d MB\n", $1, $2, $3
  printf "babeltrace2 dummy:   %.3f s (%.0f events/s)\n", d, $1 / d
  printf "genheap-analyze:     %.3f s (%.0f events/s)\n", a, $1 / a
  printf "ratio analyze/dummy: %.2f (target <= 1.30)\n", a / d
}'
