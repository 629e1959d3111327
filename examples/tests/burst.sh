#!/bin/sh
# burst.sh -- a process that allocated heavily at start-up keeps its old
# heap while it waits for rare messages, until it hibernates.
. "${GH_SRCDIR:-.}/tests/lib.sh"
B=$EX/burst/burst
[ -x "$B" ] || fail "$B not built"
expect_help "$B"
expect_usage_error "$B" --rounds 0
expect_usage_error "$B" --no-such-option

if [ "$stress" = yes ]; then load="--rounds 5 --length 2000"; else load="--rounds 10 --length 20000"; fi
quick="$load --messages 3 --interval-ms 20 --idle-ms 50"

run keep "$B" $quick
expect keep startup old_heap_block_size -gt 0
expect keep end hibernations -eq 0
# Three small messages later, the old heap is as the burst left it.
[ "$(stat_of keep end old_heap_block_size)" = "$(stat_of keep startup old_heap_block_size)" ] ||
  fail "the old heap changed without a full sweep"
expect keep end total_heap_size -ge "$(stat_of keep startup total_heap_size)"

run hib "$B" $quick --hibernate-after 10
expect hib startup old_heap_block_size -gt 0
expect hib end hibernations -ge 1
expect hib end old_heap_block_size -eq 0
# live data (a 3-tuple, 4 words) + its slot + the bottom frame + reserve
expect hib end total_heap_size -lt 16
expect hib end heap_size -eq 4
note "burst: ok"
