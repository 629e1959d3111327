#!/bin/sh
# make-ctf.sh -- writes a tiny hand-made CTF 1.8 trace for the bad-input
# tests, so they need neither LTTng nor a recording:
#   make-ctf.sh DIR genheap     two genheap:gc_minor_end events (valid)
#   make-ctf.sh DIR nogenheap   a valid trace with only other:tick events
#   make-ctf.sh DIR novpid      genheap events without the vpid context
#   make-ctf.sh DIR truncated   genheap events, the stream cut mid-event
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
META

event() { # TS PID
  le 0 4; le "$1" 8
  [ "$mode" = novpid ] || le 4242 4
  le "$2" 8; printf 'p\000'; le 10 8
}

{
  le 3254525889 4 # 0xC1FC1FC1
  le 0 4
  event 1000 1
  event 2000 1
} >"$dir/channel0_0"
if [ "$mode" = truncated ]; then
  size=$(wc -c <"$dir/channel0_0")
  head -c $((size - 9)) "$dir/channel0_0" >"$dir/cut" && mv "$dir/cut" "$dir/channel0_0"
fi
