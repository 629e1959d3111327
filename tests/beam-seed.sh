#!/bin/sh
# beam-seed.sh -- the seed scenario on a live BEAM and on genheap, built the
# same way (one cons cell per heap test); their idle block sizes must match.
# Skips (77) only without erl/erlc; .ci/run installs erlang-base.
# ERL and ERLC: the ones configure found (make check passes them); a
# configured one that does not run is a failure, not a skip.
ERL=${ERL:-erl} ERLC=${ERLC:-erlc}
command -v "$ERLC" >/dev/null 2>&1 && command -v "$ERL" >/dev/null 2>&1 || {
  echo "SKIP: erl/erlc not found (apt-get install erlang-base)"; exit 77; }
echo "using $ERL and $ERLC"
[ -n "$GENHEAP_GC_STRESS" ] && [ "$GENHEAP_GC_STRESS" != 0 ] && {
  echo "SKIP: sizes differ by design under GC stress"; exit 77; }
dir=$(mktemp -d) || exit 1
trap 'rm -rf "$dir"' EXIT
"$ERLC" -o "$dir" "${srcdir:-.}/oracle/seed_build.erl" || { echo "FAIL: erlc"; exit 1; }
beam=$(cd "$dir" && "$ERL" -noshell -s seed_build main) || { echo "FAIL: erl"; exit 1; }
ours=$(./print_seed) || { echo "FAIL: print_seed"; exit 1; }
printf 'beam:\n%s\ngenheap:\n%s\n' "$beam" "$ours"
[ "$beam" = "$ours" ] || { echo "FAIL: the seed scenario's heap sizes differ from BEAM's"; exit 1; }
echo "PASS: seed scenario sizes equal BEAM's"
