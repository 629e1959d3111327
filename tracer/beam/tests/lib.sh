# shellcheck shell=bash disable=SC2034  # sourced; sets variables for the tests
# lib.sh -- shared set-up of genheap-beam's tests (sourced, not run).
#
# The harness (tracer/beam/Makefile.am) exports GH_SRCDIR, GH_BUILDDIR,
# GH_TOP_BUILDDIR, GH_HAVE_ERLANG, ERL, ERLC, ELIXIR and BABELTRACE2.
# Every test gets a scratch folder, node names and a cookie of its own, and
# stops at exit every node it started, and epmd when it started it, by pid.
# No test asserts a duration: waits have generous timeouts, and the
# scenarios idle long enough for the recorder's evidence on a loaded
# machine.

set -u

test_name=$(basename "$0" .sh)
scratch=$(mktemp -d "${TMPDIR:-/tmp}/gh-$test_name.XXXXXX") || exit 99
uniq="$(printf '%s' "$test_name" | tr -c 'a-z0-9' '_')_$$"
cookie="gh_cookie_${uniq}_$RANDOM$RANDOM"
host=$(hostname -s 2>/dev/null || hostname)

genheap_beam="$GH_BUILDDIR/genheap-beam"
analyze="$GH_TOP_BUILDDIR/analyzers/genheap-analyze"
ebin="$GH_BUILDDIR/ebin"
ERL=${ERL:-erl}
ERLC=${ERLC:-erlc}

skip() { echo "SKIP: $test_name: $*"; exit 77; }
fail() { echo "FAIL: $test_name: $*" >&2; exit 1; }
pass() { echo "PASS: $test_name: $*"; }
note() { echo "$test_name: $*"; }

# ---- cleanup: nodes by pid, epmd if this test started it ---------------------
node_pids=()
cleanup_hooks=()
epmd_was_running=no
epmd -names >/dev/null 2>&1 && epmd_was_running=yes

cleanup() {
  local h p
  for h in ${cleanup_hooks[@]+"${cleanup_hooks[@]}"}; do "$h" || true; done
  for p in ${node_pids[@]+"${node_pids[@]}"}; do
    kill "$p" 2>/dev/null || true
  done
  for p in ${node_pids[@]+"${node_pids[@]}"}; do
    for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$p" 2>/dev/null || break; sleep 0.3; done
    kill -9 "$p" 2>/dev/null || true
  done
  # epmd refuses -kill while nodes are registered: it only goes when this
  # test started it and nobody else uses it.
  if [ "$epmd_was_running" = no ] && epmd -names >/dev/null 2>&1; then
    epmd -kill >/dev/null 2>&1 || true
  fi
  if [ "${GH_KEEP_SCRATCH:-0}" = 1 ]; then
    echo "$test_name: scratch kept in $scratch"
  else
    rm -rf "$scratch"
  fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM

require_erlang() {
  [ "${GH_HAVE_ERLANG:-no}" = yes ] || skip "genheap was configured without erl/erlc"
  command -v "$ERL" >/dev/null 2>&1 || skip "erl is not installed"
  [ -x "$analyze" ] || skip "genheap-analyze was not built (babeltrace2 missing)"
  [ -n "${BABELTRACE2:-}" ] && [ -x "$BABELTRACE2" ] || skip "babeltrace2 is not installed"
  [ -f "$ebin/genheap_beam.beam" ] || fail "the recorder was not built ($ebin)"
}

# The test helpers (genheap_seed, gc_load), compiled into the scratch folder.
compile_helpers() {
  mkdir -p "$scratch/ebin"
  "$ERLC" -o "$scratch/ebin" "$@" || fail "erlc failed on $*"
}

# wait_for FILE PATTERN SECONDS: until FILE holds a line matching PATTERN.
wait_for() {
  local i=0 limit=$(($3 * 10))
  while [ $i -lt $limit ]; do
    grep -q -- "$2" "$1" 2>/dev/null && return 0
    sleep 0.1
    i=$((i + 1))
  done
  return 1
}

# run_timeout SECONDS CMD...: the command, killed if it outlives SECONDS.
run_timeout() {
  local secs=$1; shift
  timeout --kill-after=10 "$secs" "$@"
}

# The analyzer's JSON report of a trace, and queries on it (python3).
analyze_json() { # TRACE OUT [ANALYZE ARGS...]
  local trace=$1 out=$2; shift 2
  "$analyze" --format json "$@" "$trace" >"$out" 2>"$out.err"
  local rc=$?
  [ $rc -le 1 ] || { cat "$out.err" >&2; fail "genheap-analyze failed (exit $rc) on $trace"; }
  return 0
}

# findings REPORT: "severity analysis name evidence waste_words above_ms"
# per finding, name being the part of the process name after its pid.
findings() {
  python3 - "$1" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
for f in r["findings"]:
    name = f["name"].split(" ", 1)[1] if " " in f["name"] else f["name"]
    print(f["severity"], f["analysis"], name, f["evidence"].replace(" ", "_"),
          f["waste_words"], f["above_threshold_ns"] // 1000000)
PY
}

# finding_for REPORT SEVERITY ANALYSIS NAME: its line, or nothing.
finding_for() {
  findings "$1" | awk -v s="$2" -v a="$3" -v n="$4" '$1 == s && $2 == a && $3 == n'
}
