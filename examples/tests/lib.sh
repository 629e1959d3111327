# lib.sh -- sourced by the examples' tests (make check sets GH_BUILDDIR,
# GH_SRCDIR...).  A private work folder, failure helpers, and stat_of to
# read the key=value statistics lines the examples print.

set -u
: "${GH_BUILDDIR:=.}" "${GH_SRCDIR:=.}"
EX=$GH_BUILDDIR
work=$(mktemp -d "${TMPDIR:-/tmp}/gh-example-test.XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'exit 1' INT TERM

fail() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "SKIP: $*" >&2; exit 77; }
note() { echo "# $*"; }

# Under GENHEAP_GC_STRESS (a collection at every allocation) the runs are
# shorter and the GC-timing-dependent figures are not checked.
stress=no
case "${GENHEAP_GC_STRESS:-0}" in 0 | "") ;; *) stress=yes ;; esac

# run NAME PROG [ARG...]: runs PROG; stdout in $work/NAME.out, stderr in
# $work/NAME.err; fails unless it exits 0.
run() {
  name=$1; shift
  "$@" >"$work/$name.out" 2>"$work/$name.err" ||
    { cat "$work/$name.err" >&2; fail "'$*' exited $?"; }
  note "$*"
  sed 's/^/#   /' "$work/$name.out"
}

# stat_of NAME LINE KEY: the value of KEY on the line "stats LINE ..." that
# run NAME printed (empty when missing).
stat_of() {
  awk -v line="$2" -v key="$3" '$1 == "stats" && $2 == line {
    for (i = 3; i <= NF; i++) {
      eq = index($i, "=")
      if (substr($i, 1, eq - 1) == key) print substr($i, eq + 1)
    }
  }' "$work/$1.out"
}

# expect NAME LINE KEY OP VALUE: a numeric check (OP: -eq -gt -ge -lt...).
expect() {
  got=$(stat_of "$1" "$2" "$3")
  [ -n "$got" ] || fail "$1: no $3 on the '$2' line"
  [ "$got" "$4" "$5" ] || fail "$1: $2 $3 is $got, expected $4 $5"
}

# expect_usage_error CMD...: exit status 2, one line on stderr, no stdout.
expect_usage_error() {
  "$@" >"$work/usage.out" 2>"$work/usage.err"
  st=$?
  [ "$st" = 2 ] || fail "'$*' exited $st, expected 2"
  [ "$(wc -l <"$work/usage.err")" -eq 1 ] || fail "'$*': error is not one line"
  [ ! -s "$work/usage.out" ] || fail "'$*': output on stdout after an error"
}

# expect_help PROG: --help and --version exit 0 and say something.
expect_help() {
  "$1" --help >"$work/help.out" 2>&1 || fail "$1 --help failed"
  grep -q '^Usage:' "$work/help.out" || fail "$1 --help prints no usage"
  grep -q 'Exit status' "$work/help.out" || fail "$1 --help documents no exit status"
  "$1" --version | grep -q "(genheap) [0-9]" || fail "$1 --version"
}
