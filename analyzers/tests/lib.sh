# lib.sh -- sourced by the analyzer's shell tests (make check sets
# top_builddir, srcdir, LTTNG, BABELTRACE2...).  Gives a private work
# folder, status checks, and trace recording through genheap-trace.

set -u
: "${top_builddir:=../..}" "${srcdir:=.}"
ANALYZE=$top_builddir/analyzers/genheap-analyze
FLATTEN=$top_builddir/analyzers/tests/json-flatten
PLUGIN_DIR=$top_builddir/analyzers/.libs
RECORDER=$top_builddir/tracer/genheap-trace
TESTS_BIN=$top_builddir/analyzers/tests

work=$(mktemp -d "${TMPDIR:-/tmp}/gha-test.XXXXXX")
export LTTNG_HOME="$work/lttng-home"
mkdir -p "$LTTNG_HOME"
cleanup_hooks=
on_exit() {
  for hook in $cleanup_hooks; do "$hook"; done
  rm -rf "$work"
}
trap on_exit EXIT
trap 'exit 1' INT TERM

fail() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "SKIP: $*" >&2; exit 77; }
note() { echo "# $*"; }

# expect_status WANT CMD...: runs CMD, stdout in $work/out, stderr in
# $work/err; fails unless it exits with WANT.
expect_status() {
  want=$1; shift
  "$@" >"$work/out" 2>"$work/err"
  got=$?
  if [ "$got" != "$want" ]; then
    echo "stderr:" >&2; cat "$work/err" >&2
    fail "'$*' exited $got, want $want"
  fi
}

# The error is one line that names the file and the problem.
expect_one_line_error() { # FILE-PART PROBLEM-PART
  [ "$(wc -l <"$work/err")" -eq 1 ] || { cat "$work/err" >&2; fail "error is not one line"; }
  grep -q -- "$1" "$work/err" || fail "error does not name '$1': $(cat "$work/err")"
  grep -qi -- "$2" "$work/err" || fail "error does not say '$2': $(cat "$work/err")"
  [ ! -s "$work/out" ] || fail "output on stdout after an error"
}

need_lttng() {
  [ -x "$RECORDER" ] || skip "genheap-trace not built"
  [ -n "${LTTNG:-}" ] && [ -x "$LTTNG" ] || skip "lttng not installed"
}

# record DIR PROG [ARG...]: records PROG with genheap-trace; PROG's stdout
# goes to $work/prog.out.
record() {
  dir=$1; shift
  "$RECORDER" -q -o "$dir" -- "$@" >"$work/prog.out" 2>"$work/rec.err" ||
    { cat "$work/rec.err" >&2; fail "recording $* failed"; }
  # the recorder prints the trace folder after the program's own output
  grep -q '^stats ' "$work/prog.out" || fail "$* printed no statistics"
}

# stat_of NAME FIELD: the library's own figure printed by the program.
stat_of() {
  awk -v name="$1" -v key="$2" '$1 == "stats" && (" " $0 " ") ~ (" name=" name " ") {
    for (i = 2; i <= NF; i++) { split($i, kv, "="); if (kv[1] == key) print kv[2] }
  }' "$work/prog.out"
}
vpid_of() { stat_of "$1" vpid; }

# use_sessiond: a root session daemon, the running one or ours (stopped at
# exit by its pid).
use_sessiond() {
  own_sessiond=
  if ! "$LTTNG" list >/dev/null 2>&1; then
    "$LTTNG_SESSIOND" --daemonize || fail "cannot start lttng-sessiond"
    own_sessiond=$(cat /var/run/lttng/lttng-sessiond.pid)
  fi
  cleanup_hooks="$cleanup_hooks stop_sessiond"
}
stop_sessiond() { [ -z "$own_sessiond" ] || kill "$own_sessiond" 2>/dev/null; }

# start_relayd BASE: an lttng-relayd of the test's own, listening on ports
# BASE + (pid % 2000) * 3 and the two after (each test its own BASE, so
# tests never share a port); sets ctrl, data and livep, stopped at exit.
start_relayd() {
  base=$(($1 + ($$ % 2000) * 3))
  ctrl=$base data=$((base + 1)) livep=$((base + 2))
  "$LTTNG_RELAYD" -o "$work/relay" -C "tcp://127.0.0.1:$ctrl" \
    -D "tcp://127.0.0.1:$data" -L "tcp://127.0.0.1:$livep" >"$work/relayd.log" 2>&1 &
  relayd_pid=$!
  cleanup_hooks="stop_relayd $cleanup_hooks"
  sleep 1
  kill -0 "$relayd_pid" 2>/dev/null || { cat "$work/relayd.log" >&2; fail "relayd did not start"; }
}
stop_relayd() { kill "$relayd_pid" 2>/dev/null; wait "$relayd_pid" 2>/dev/null; }
