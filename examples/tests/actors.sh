#!/bin/sh
# actors.sh -- the actor runtime runs a ring and a hog to the end: the hog
# is killed by max_heap_size, idle actors hibernate, and nothing is left:
# no process, no binary.
. "${GH_SRCDIR:-.}/tests/lib.sh"
A=$EX/actors/actors
[ -x "$A" ] || fail "$A not built"
expect_help "$A"
expect_usage_error "$A" --schedulers 0
expect_usage_error "$A" --what

run ring "$A" --actors 50 --hops 2000
expect ring actors killed -eq 1
expect ring actors spawned -eq 51
expect ring actors exited -eq 51
expect ring actors messages -ge 2000
expect ring actors hibernations -ge 50
expect ring runtime processes_alive -eq 0
expect ring runtime processes_killed -eq 1
expect ring runtime binaries_alive -eq 0
expect ring runtime heap_words -eq 0
grep -q "hog (pid [0-9]*) killed by max_heap_size" "$work/ring.err" ||
  fail "the kill callback did not report the hog"

run one "$A" --actors 1 --hops 100 --schedulers 1 --hibernate-after 0
expect one actors hibernations -eq 0
expect one runtime processes_alive -eq 0
note "actors: ok"
