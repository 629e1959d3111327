#!/bin/sh
# recorder-output.sh -- the output folder: named in every error, claimed once.
#
# An empty -o is a usage error (it used to fall back to the default folder);
# errors about the folder name it; and the claim on an output folder is
# atomic: while one recording owns a folder (here one in snapshot mode, which
# writes nothing there until the end, so the folder is still empty), a second
# run into the same folder fails with 125 instead of writing beside it.
. "$GH_SRCDIR/tests/lib.sh"

run() { # run ARGS...: the recorder with stdout/stderr in $scratch/out, err
  "$recorder" "$@" >"$scratch/out" 2>"$scratch/err" </dev/null
}

# expect_usage_error DESCRIPTION NEEDLE ARGS...: exit 125, one stderr line
# that contains NEEDLE.
expect_usage_error() {
  what=$1 needle=$2
  shift 2
  run "$@"
  got=$?
  [ "$got" -eq 125 ] || fail "$what: exit $got, expected 125 ($(head -n 2 "$scratch/err"))"
  [ "$(wc -l <"$scratch/err")" -eq 1 ] || fail "$what: stderr is not one line: $(cat "$scratch/err")"
  grep -qF -- "$needle" "$scratch/err" || fail "$what: stderr does not say '$needle': $(cat "$scratch/err")"
}

expect_usage_error "-o ''" "--output" -o '' -- true
expect_usage_error "--output=" "--output" --output= -- true
: >"$scratch/file"
expect_usage_error "output is a file" "$scratch/file" -o "$scratch/file" -- true
expect_usage_error "output below a file" "$scratch/file/trace" -o "$scratch/file/trace" -- true
mkdir "$scratch/full" && : >"$scratch/full/x"
expect_usage_error "non-empty output" "$scratch/full" -o "$scratch/full" -- true

require_lttng
shared="$scratch/shared"
mkdir "$shared" && mkfifo "$scratch/go"
# shellcheck disable=SC2016 # $1 and $2 are the inner sh's
"$recorder" -q --snapshot --session "$(session_name first)" -o "$shared" -- \
  sh -c ': >"$1"; read -r line <"$2"' sh "$scratch/ready" "$scratch/go" \
  >"$scratch/first.out" 2>"$scratch/first.err" </dev/null &
first=$!
release_first() { # unblock the first run's command, then collect it
  echo go >"$scratch/go" &
  wait "$first"
}
if ! wait_for "$scratch/ready"; then
  kill "$first" 2>/dev/null
  fail "the first recording never ran its command: $(cat "$scratch/first.err")"
fi
run -q --session "$(session_name second)" -o "$shared" -- true
second=$?
release_first
first_status=$?
[ "$second" -eq 125 ] ||
  fail "a second run into an output folder in use exited $second, expected 125 ($(head -n 2 "$scratch/err"))"
grep -qF "$shared" "$scratch/err" || fail "the in-use error does not name the folder: $(cat "$scratch/err")"
[ "$first_status" -eq 0 ] || fail "the first run exited $first_status: $(cat "$scratch/first.err")"
[ "$(tail -n 1 "$scratch/first.out")" = "$shared" ] ||
  fail "the first run printed '$(tail -n 1 "$scratch/first.out")', not $shared"
for entry in "$shared"/* "$shared"/.[!.]* "$shared"/..?*; do
  case ${entry##*/} in
    snapshot-* | '*' | '.[!.]*' | '..?*') ;; # the trace, or a pattern that matched nothing
    *) fail "the output folder holds more than the snapshot: $entry" ;;
  esac
done
pass "empty -o refused, folder named in errors, one recording per folder"
