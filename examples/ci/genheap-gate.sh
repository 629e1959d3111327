#!/bin/sh
# genheap-gate.sh -- genheap's CI gate in one step, for a GitHub Actions or
# GitLab CI job (docs/ci.md shows both):
#
#   genheap-gate.sh [-b BASELINE] [-s SUPPRESSIONS] [-o OUT_DIR] [-u]
#                   [-a 'ANALYZE OPTIONS'] -- COMMAND [ARG]...
#
# Records COMMAND (your test suite, a load test...) with genheap-trace,
# then analyses the trace with genheap-analyze against BASELINE (the JSON
# report of the last good run, when the file exists) and SUPPRESSIONS (when
# the file exists).  New findings and heaps grown past the thresholds fail;
# findings the baseline already had and suppressed ones pass.  Without a
# baseline, every finding at or above --fail-on (warning) fails.
#
#   -b FILE   the baseline (default: genheap-baseline.json)
#   -s FILE   the suppressions file (default: genheap.supp)
#   -o DIR    where the trace and the reports go (default: genheap-gate):
#             trace/, report.txt (also printed), report.json (the next
#             baseline), report.xml (JUnit), report.html, perfetto.json
#   -u        when the gate passes, copy report.json over BASELINE (run it
#             on the main branch, and keep BASELINE between runs)
#   -a OPTS   more genheap-analyze options, split at blanks
#             (e.g. '--gate-growth 30 --min-idle 2')
#
# Environment: GENHEAP_TRACE and GENHEAP_ANALYZE name the tools (default:
# genheap-trace and genheap-analyze on PATH).
#
# Exit status: COMMAND's when it failed (the gate is still run and its
# reports written); else genheap-analyze's: 0 the gate passed, 1 it failed
# (see report.txt), 2 an error (a bad baseline or suppressions file, no
# trace...); 64 usage error.
set -u

prog=genheap-gate.sh
usage_error() { echo "$prog: $*" >&2; exit 64; }

baseline=genheap-baseline.json
suppressions=genheap.supp
out=genheap-gate
update=no
analyze_opts=
while getopts b:s:o:ua:h opt; do
  case $opt in
    b) baseline=$OPTARG ;;
    s) suppressions=$OPTARG ;;
    o) out=$OPTARG ;;
    u) update=yes ;;
    a) analyze_opts=$OPTARG ;;
    h) sed -n '2,34p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) usage_error "unknown option (see -h)" ;;
  esac
done
shift $((OPTIND - 1))
[ "${1:-}" != -- ] || shift
[ $# -ge 1 ] || usage_error "no command to record (usage: $prog [OPTION]... -- COMMAND...)"

trace_tool=${GENHEAP_TRACE:-genheap-trace}
analyze_tool=${GENHEAP_ANALYZE:-genheap-analyze}

mkdir -p "$out" || exit 2
rm -rf "$out/trace"

echo "== recording: $*"
"$trace_tool" -q -o "$out/trace" -- "$@"
command_status=$?
[ "$command_status" = 0 ] || echo "$prog: the command exited $command_status" >&2

set --
if [ -f "$baseline" ]; then
  set -- "$@" --baseline "$baseline"
  echo "== gate: against $baseline"
else
  echo "== gate: no baseline ($baseline): every finding fails; keep $out/report.json as the baseline"
fi
[ ! -f "$suppressions" ] || set -- "$@" --suppressions "$suppressions"
# shellcheck disable=SC2086 # the extra options are split on purpose
"$analyze_tool" "$@" $analyze_opts --json "$out/report.json" --junit "$out/report.xml" \
  --html "$out/report.html" --perfetto "$out/perfetto.json" "$out/trace" >"$out/report.txt"
gate_status=$?
cat "$out/report.txt"

if [ "$gate_status" = 0 ] && [ "$update" = yes ]; then
  cp "$out/report.json" "$baseline" && echo "== baseline updated: $baseline"
fi
echo "== reports: $out/report.txt, report.json, report.xml, report.html, perfetto.json (ui.perfetto.dev)"
[ "$command_status" = 0 ] || exit "$command_status"
exit "$gate_status"
