#!/bin/sh
# scenarios.sh -- the ground-truth suite (docs/analyses.md, "Ground truth"):
# every scenario of tests/scenario.c with every ending, recorded with
# genheap-trace (its defaults) and analysed with genheap-analyze (its
# defaults), against the true waste that a --truth run of the same program
# measures with gh_proc_info around a minor GC and a full sweep.
#
# A scenario wastes truly when its waste is at or above the threshold
# (bloat: 65536 old-heap words; binleak, the router: 16384 binary words)
# and it holds it for at least min_idle (1 s).  Each row must hold:
#   - a true waste gets a warning, with its figure within 10% of the truth
#     (except without gh_wait and without a clean end: nothing measures it,
#     and the analyzer says so at info level: that row expects info);
#   - anything else gets no warning, and no other process gets one.
# Prints the table (scenario, ending, expected, got, figure, truth) that
# docs/analyses.md shows; exits 1 if any row fails.
. "$srcdir/tests/lib.sh"
need_lttng
[ "${GENHEAP_GC_STRESS:-0}" = 0 ] ||
  skip "GC stress changes every scenario's collections; the suite runs without it"

SCENARIO=$TESTS_BIN/scenario
SCENARIOS=${GENHEAP_SCENARIOS:-"cache bloat half router hibernating fullsweep0 busy bloat-nowait"}
ENDINGS=${GENHEAP_ENDINGS:-"others-collect quiet shutdown killed"}
MIN_IDLE_MS=1000

value() { # value KEY FILE: KEY=value from a line of FILE
  sed -n "s/.* $1=\([0-9]*\).*/\1/p" "$2" | head -n 1
}

# expected SCENARIO ENDING WASTE THRESHOLD HELD_MS: warning, info or none
expected() {
  if [ "$3" -ge "$4" ] && [ "$5" -ge "$MIN_IDLE_MS" ]; then
    case "$1:$2" in
      bloat-nowait:quiet | bloat-nowait:killed) echo info ;;
      *) echo warning ;;
    esac
  else
    echo none
  fi
}

# run_one SCENARIO ENDING: one row in $work/rows/SCENARIO.ENDING
run_one() {
  s=$1 e=$2 d=$work/$1.$2
  "$SCENARIO" "$s" --truth >"$d.truth" 2>&1 || { echo "$s $e - - - - FAIL(truth-run)"; return; }
  analysis=bloat key=old_waste threshold=65536
  [ "$s" != router ] || { analysis=binleak; key=bin_waste; threshold=16384; }
  truth=$(value "$key" "$d.truth")
  held=$(value held_ms "$d.truth")
  want=$(expected "$s" "$e" "$truth" "$threshold" "$held")
  "$RECORDER" -q -o "$d.trace" -- "$SCENARIO" "$s" "$e" >"$d.out" 2>"$d.rec"
  st=$?
  [ "$e" = killed ] && want_st=137 || want_st=0
  [ "$st" = "$want_st" ] || { echo "$s $e $want - - $truth FAIL(recorder-exit-$st)"; return; }
  vpid=$(value vpid "$d.out") pid=$(value server_pid "$d.out")
  "$ANALYZE" --format=json "$d.trace" >"$d.json" 2>"$d.err"
  [ $? -le 1 ] || { echo "$s $e $want - - $truth FAIL(analyzer:$(head -c 80 "$d.err"))"; return; }
  "$FLATTEN" <"$d.json" >"$d.flat" || { echo "$s $e $want - - $truth FAIL(json)"; return; }
  mine=$(awk -v v="$vpid" -v p="$pid" -v a="$analysis" \
    '$1 == "finding" && $2 == a && $5 == v && $6 == p' "$d.flat")
  got=$(echo "$mine" | awk 'NF {print $3}')
  figure=$(echo "$mine" | awk 'NF {print $9}')
  evidence=$(echo "$mine" | awk 'NF {print $11}')
  others=$(awk -v v="$vpid" -v p="$pid" \
    '$1 == "finding" && $3 == "warning" && $5 == v && $6 != p' "$d.flat" | wc -l)
  verdict=ok
  case "$want:${got:-none}" in
    warning:warning)
      diff=$(( figure > truth ? figure - truth : truth - figure ))
      [ $(( diff * 10 )) -le "$truth" ] || verdict="FAIL(figure)" ;;
    info:info) ;;
    none:none | none:info) ;;
    *) verdict="FAIL(verdict)" ;;
  esac
  [ "$others" -eq 0 ] || verdict="FAIL(other-process-warned)"
  echo "$s $e $want ${got:-none} ${figure:--}${evidence:+($evidence)} $truth $verdict"
}

mkdir -p "$work/rows"
jobs=0
for s in $SCENARIOS; do
  for e in $ENDINGS; do
    run_one "$s" "$e" >"$work/rows/$s.$e" &
    jobs=$((jobs + 1))
    [ $((jobs % 2)) -ne 0 ] || wait
  done
done
wait

printf '%-13s %-15s %-8s %-8s %-20s %-8s %s\n' \
  SCENARIO ENDING EXPECTED GOT FIGURE TRUTH RESULT
failed=0
for s in $SCENARIOS; do
  for e in $ENDINGS; do
    row=$(cat "$work/rows/$s.$e")
    echo "$row" | awk '{printf "%-13s %-15s %-8s %-8s %-20s %-8s %s\n", $1, $2, $3, $4, $5, $6, $7}'
    case $row in *FAIL*) failed=$((failed + 1)) ;; esac
  done
done
if [ "$failed" -ne 0 ]; then
  for f in "$work"/*.err "$work"/*.rec; do
    [ -s "$f" ] && { echo "---- $f"; head -5 "$f"; }
  done
  fail "$failed scenario rows failed"
fi
note "scenarios: all rows hold"
