# shellcheck shell=sh disable=SC2034  # sourced; sets variables for the tests
# lib.sh -- shared set-up of the tracer's shell tests (sourced, not run).
#
# The test harness (tracer/Makefile.am, AM_TESTS_ENVIRONMENT) exports
# GH_BUILDDIR, GH_TOP_BUILDDIR, GH_SRCDIR, GH_HAVE_LTTNG, LTTNG and
# BABELTRACE2.  Every test gets its own scratch folder and LTTNG_HOME, so
# concurrent runs on one machine never see each other's sessions.

set -u

test_name=$(basename "$0" .sh)
recorder="$GH_BUILDDIR/genheap-trace"
workload="$GH_BUILDDIR/tests/tp-workload"

scratch=$(mktemp -d "${TMPDIR:-/tmp}/gh-$test_name.XXXXXX") || exit 99
cleanup_scratch() { rm -rf "$scratch"; }
trap cleanup_scratch EXIT
LTTNG_HOME="$scratch/home"
mkdir -p "$LTTNG_HOME"
export LTTNG_HOME

skip() { echo "SKIP: $test_name: $*"; exit 77; }
fail() { echo "FAIL: $test_name: $*" >&2; exit 1; }
pass() { echo "PASS: $test_name: $*"; }

# Skip only when LTTng is genuinely unavailable: not configured, or the
# tools are not installed.
require_lttng() {
  [ "${GH_HAVE_LTTNG:-no}" = yes ] || skip "genheap was configured without lttng-ust"
  [ -n "${LTTNG:-}" ] && [ -x "$LTTNG" ] || skip "lttng (lttng-tools) is not installed"
  [ -n "${BABELTRACE2:-}" ] && [ -x "$BABELTRACE2" ] || skip "babeltrace2 is not installed"
  command -v lttng-sessiond >/dev/null 2>&1 || skip "lttng-sessiond is not installed"
  PATH="$(dirname "$LTTNG"):$PATH"
}

# Unique per test and per run: several people and tests share the daemon.
session_name() { echo "gh-$test_name-$$-$1"; }

# wait_until COMMAND...: runs COMMAND until it succeeds.  The 60 s limit is
# only a safety net against a hung test: nothing is asserted about how long
# it takes.
wait_until() {
  tries=0
  until "$@"; do
    [ "$tries" -lt 600 ] || return 1
    sleep 0.1
    tries=$((tries + 1))
  done
}

# wait_for FILE: waits until FILE exists.
wait_for() { wait_until test -e "$1"; }
