#!/bin/bash
# beam-rabbitmq.sh -- genheap-beam on real software: a private RabbitMQ node
# (Debian's rabbitmq-server: own name, ports, folders, cookie), driven by a
# real AMQP client (python3-pika) with 3,000 messages of 20-200 KB through
# three queues, then left idle; recorded from outside with genheap-beam
# record --sweep (started before the load, stopped with SIGTERM after the
# idle time).  The test checks that the recording and the analysis work on
# it and prints what genheap-analyze finds, with the end sweeps' before and
# after figures; docs/beam.md explains the result.  One command:
#
#   make -C build/default/tracer/beam check TESTS=tests/beam-rabbitmq.sh
#
# (GH_KEEP_SCRATCH=1 keeps the trace and the reports; GH_RMQ_MIN_WORDS=N
# looks for smaller waste: the recorder's --min-words and the analyzer's
# --bloat-min-words.)  It also checks what
# the recorder must see in any run: the three queue processes' own sweeps,
# the connection's processes exiting, and no lost events.
. "$GH_SRCDIR/tests/lib.sh"
require_erlang
rmq_bin=/usr/lib/rabbitmq/bin
[ -x "$rmq_bin/rabbitmq-server" ] || skip "rabbitmq-server is not installed"
# python3-pika installs for Debian's python3; an earlier python3 on PATH
# may not see it
py=/usr/bin/python3
"$py" -c 'import pika' 2>/dev/null || skip "python3-pika is not installed"

free_port() { "$py" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

rmq="$scratch/rabbitmq"
mkdir -p "$rmq/home" "$rmq/mnesia" "$rmq/log"
printf '%s' "$cookie" >"$rmq/home/.erlang.cookie"
chmod 400 "$rmq/home/.erlang.cookie"
echo '[].' >"$rmq/enabled_plugins"
: >"$rmq/env.conf"
node="rmq_$uniq@$host"
amqp_port=$(free_port)
rmq_env() {
  env HOME="$rmq/home" RABBITMQ_NODENAME="$node" RABBITMQ_NODE_PORT="$amqp_port" \
    RABBITMQ_DIST_PORT="$(free_port)" RABBITMQ_MNESIA_BASE="$rmq/mnesia" \
    RABBITMQ_LOG_BASE="$rmq/log" RABBITMQ_ENABLED_PLUGINS_FILE="$rmq/enabled_plugins" \
    RABBITMQ_CONF_ENV_FILE="$rmq/env.conf" RABBITMQ_CONFIG_FILE="$rmq/rabbitmq" \
    RABBITMQ_PID_FILE="$rmq/pid" "$@"
}
stop_rabbit() {
  rmq_env "$rmq_bin/rabbitmqctl" -n "$node" stop >/dev/null 2>&1 || true
  [ -f "$rmq/pid" ] && node_pids+=("$(cat "$rmq/pid")")
}
cleanup_hooks+=(stop_rabbit)

rmq_env "$rmq_bin/rabbitmq-server" >"$rmq/server.out" 2>&1 &
node_pids+=($!)
# registered with epmd first, then booted
for _ in $(seq 1 1200); do epmd -names 2>/dev/null | grep -q "name rmq_$uniq " && break; sleep 0.1; done
rmq_env "$rmq_bin/rabbitmqctl" -n "$node" await_startup --timeout 300 >/dev/null 2>&1 ||
  { tail -20 "$rmq/server.out"; fail "RabbitMQ did not start"; }
[ -f "$rmq/pid" ] && node_pids+=("$(cat "$rmq/pid")")
note "RabbitMQ $node up (AMQP port $amqp_port)"

trace="$scratch/trace"
min_args=() an_args=()
if [ -n "${GH_RMQ_MIN_WORDS:-}" ]; then
  min_args=(--min-words "$GH_RMQ_MIN_WORDS")
  an_args=(--bloat-min-words "$GH_RMQ_MIN_WORDS")
fi
"$genheap_beam" record --node "$node" --cookie "$cookie" -o "$trace" --seconds 3600 \
  --sweep ${min_args[@]+"${min_args[@]}"} >"$scratch/rec.out" 2>"$scratch/rec.err" &
rec=$!
node_pids+=($rec)
wait_for "$scratch/rec.err" "recording" 120 || { cat "$scratch/rec.err"; fail "the recorder did not attach"; }

run_timeout 600 "$py" "$GH_SRCDIR/tests/rabbitmq-load.py" "$amqp_port" 3000 3 \
  >"$scratch/load.out" 2>&1 || { cat "$scratch/load.out"; fail "the AMQP load failed"; }
cat "$scratch/load.out"
# idle: long enough for the sampling to see quiet processes, twice min-idle
sleep 8
kill -TERM $rec
wait $rec
rc=$?
cat "$scratch/rec.err"
[ $rc = 0 ] || fail "genheap-beam record exited $rc"

"$BABELTRACE2" -c sink.utils.dummy "$trace" >/dev/null 2>"$scratch/bt.err" ||
  { cat "$scratch/bt.err"; fail "babeltrace2 cannot read the trace"; }
"$analyze" ${an_args[@]+"${an_args[@]}"} "$trace" >"$scratch/report.txt" 2>&1
rc=$?
[ $rc -le 1 ] || { cat "$scratch/report.txt"; fail "genheap-analyze failed ($rc)"; }
analyze_json "$trace" "$scratch/report.json" ${an_args[@]+"${an_args[@]}"}

echo "---- genheap-analyze (exit $rc) ----"
sed -n '1,3p' "$scratch/report.txt"
sed -n '/finding/,$p' "$scratch/report.txt"
echo "---- the processes the load touched most (peak old heap block) ----"
"$py" - "$scratch/report.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
ps = sorted(r["processes"], key=lambda p: -p["peak_old_heap_block_size"])[:6]
for p in ps:
    print("%-40s minor %5d sweeps %4d hibernations %d peak_old_block %7d state %s"
          % (p["name"], p["minor_gcs"], p["full_sweeps"], p["hibernations"],
             p["peak_old_heap_block_size"], p["state"]))
print("discarded events:", r["discarded_events"], " recorder sweeps:", r["recorder_sweeps"])
PY

# what any run must show
"$py" - "$scratch/report.json" <<'PY' || fail "the recording misses what the load did"
import json, sys
r = json.load(open(sys.argv[1]))
procs = r["processes"]
queues = [p for p in procs if "rabbit_prequeue" in p["name"] or "rabbit_amqqueue" in p["name"]]
swept = [p for p in queues if p["full_sweeps"] > 0]
assert len(swept) >= 3, "fewer than 3 queue processes swept: %d" % len(swept)
assert any(p["state"] == "exited" and "rabbit_channel" in p["name"] for p in procs), \
    "the channel's exit is not in the trace"
assert r["discarded_events"] == 0, "events were lost"
PY
pass "RabbitMQ recorded: $(sed -n 1p "$scratch/report.txt" | cut -d: -f2-); $(grep -c '^warning' "$scratch/report.txt") warning(s)"
