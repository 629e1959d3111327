#!/bin/sh
# make-ctf.sh -- writes a tiny hand-made CTF 1.8 trace for the bad-input
# tests, so they need neither LTTng nor a recording:
#   make-ctf.sh DIR genheap     two genheap:gc_minor_end events (valid)
#   make-ctf.sh DIR nogenheap   a valid trace with only other:tick events
#   make-ctf.sh DIR novpid      genheap events without the vpid context
#   make-ctf.sh DIR truncated   genheap events, the stream cut mid-event
#   make-ctf.sh DIR majornoinfo a genheap:gc_major_start/_end pair without
#                               the GC-info block, then a gc_minor_end with
#                               it (old_heap_size 100000): absent fields
#                               must read as zero, never as stale memory
set -eu
dir=$1 mode=$2
mkdir -p "$dir"

# Little-endian integers as raw bytes.
le() { # VALUE BYTES
  v=$1 n=$2
  while [ "$n" -gt 0 ]; do
    printf "\\$(printf %03o $((v & 255)))"
    v=$((v >> 8)) n=$((n - 1))
  done
}

event_name=genheap:gc_minor_end
[ "$mode" = nogenheap ] && event_name=other:tick
[ "$mode" = majornoinfo ] && event_name=genheap:gc_major_end
context='event.context := struct { int32_t vpid; };'
[ "$mode" = novpid ] && context=

cat >"$dir/metadata" <<META
/* CTF 1.8 */
typealias integer { size = 32; align = 8; signed = false; } := uint32_t;
typealias integer { size = 64; align = 8; signed = false; } := uint64_t;
typealias integer { size = 32; align = 8; signed = true; } := int32_t;
trace {
  major = 1; minor = 8; byte_order = le;
  packet.header := struct { uint32_t magic; uint32_t stream_id; };
};
env { hostname = "handmade"; };
clock { name = "monotonic"; freq = 1000000000; offset = 0; };
typealias integer { size = 64; align = 8; signed = false;
                    map = clock.monotonic.value; } := uint64_clock_t;
stream {
  id = 0;
  event.header := struct { uint32_t id; uint64_clock_t timestamp; };
  $context
};
event {
  name = "$event_name"; id = 0; stream_id = 0;
  fields := struct { uint64_t pid; string name; uint64_t reclaimed; };
};
event {
  name = "genheap:gc_major_start"; id = 1; stream_id = 0;
  fields := struct { uint64_t pid; string name; uint64_t reclaimed; };
};
event {
  name = "genheap:gc_minor_end"; id = 2; stream_id = 0;
  fields := struct { uint64_t pid; string name; uint64_t reclaimed;
$(for f in old_heap_block_size heap_block_size mbuf_size recent_size stack_size \
           old_heap_size heap_size bin_vheap_size bin_vheap_block_size \
           bin_old_vheap_size bin_old_vheap_block_size minor_gcs full_sweeps \
           hibernations words_promoted words_reclaimed gen_gcs \
           message_queue_len refc_binaries; do
    echo "    uint64_t $f;"
  done)
  };
};
META

event() { # TS PID [ID]
  le "${3:-0}" 4; le "$1" 8
  [ "$mode" = novpid ] || le 4242 4
  le "$2" 8; printf 'p\000'; le 10 8
}

{
  le 3254525889 4 # 0xC1FC1FC1
  le 0 4
  if [ "$mode" = majornoinfo ]; then
    event 1000 1 1; event 1500 1
    event 2000 1 2 # then the 19 GC-info fields: old heap 100000 words
    le 200000 8; le 233 8; le 0 8; le 0 8; le 1 8; le 100000 8
    for _ in 7 8 9 10 11; do le 0 8; done
    le 1 8; for _ in 13 14 15 16 17 18 19; do le 0 8; done
  else
    event 1000 1
    event 2000 1
  fi
} >"$dir/channel0_0"
if [ "$mode" = truncated ]; then
  size=$(wc -c <"$dir/channel0_0")
  head -c $((size - 9)) "$dir/channel0_0" >"$dir/cut" && mv "$dir/cut" "$dir/channel0_0"
fi
