#!/usr/bin/env bash
# Throughput of two releases side by side, in one run, on the same load (issue #28):
#
#   tools/compare-releases.sh PREVIOUS_JAR [CURRENT_JAR]
#
# For each round (ROUNDS, default 2) and each jar, alternating: a fresh single-node broker (CURRENT_JAR broker) with the
# topics at PARTITIONS (default 3), `run` of that jar in a JVM of its own (HEAP, default -Xmx1g), and CURRENT_JAR's
# loadtest against it (LOADTEST_ARGS, default: 32 layers x 32 heads x rank 128, steady 20/s with a 30 s warm-up, burst 300). The processor's
# RSS is sampled every second while the load runs, and its CPU seconds (user + system) are read at the end. Prints one JSON line per round and jar, then the ratios of the
# current release to the previous one (burst throughput, steady p99, peak RSS). CURRENT_RUN_ARGS: more flags for the
# current release's `run` (say, --kafka num.stream.threads=2).
set -euo pipefail
previous=${1:?usage: tools/compare-releases.sh PREVIOUS_JAR [CURRENT_JAR]}
current=${2:-target/headgeo.jar}
rounds=${ROUNDS:-2}
partitions=${PARTITIONS:-3}
heap=${HEAP:--Xmx1g}
read -r -a loadtest_args <<< "${LOADTEST_ARGS:---layers 32 --heads 32 --rank 128 --rate 20 --warmup 30s --steady 30s --burst 300}"
python=${PYTHON:-/usr/bin/python3}
work=$(mktemp -d /tmp/headgeo-compare-XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { "$python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_for() { # wait_for SECONDS COMMAND...: until the command succeeds
  local deadline=$((SECONDS + $1)); shift
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || { echo "gave up waiting for: $*" >&2; return 1; }
    sleep 0.5
  done
}

one() { # one LABEL JAR ROUND
  local label=$1 jar=$2 round=$3 port http broker run sampler extra=()
  [[ $label == current && -n ${CURRENT_RUN_ARGS:-} ]] && read -r -a extra <<< "$CURRENT_RUN_ARGS"
  port=$(free_port); http=$(free_port)
  java -jar "$current" broker --port "$port" >"$work/broker-$label-$round.log" 2>&1 &
  broker=$!; pids+=("$broker")
  wait_for 60 grep -q "Kafka is up" "$work/broker-$label-$round.log"
  "$python" - "$port" "$partitions" <<'EOF'
import sys
from confluent_kafka.admin import AdminClient, NewTopic
admin = AdminClient({"bootstrap.servers": f"127.0.0.1:{sys.argv[1]}"})
topics = ["headgeo.layers", "headgeo.reports", "headgeo.alerts", "headgeo.dead-letters"]
for future in admin.create_topics([NewTopic(t, int(sys.argv[2]), 1) for t in topics]).values():
    future.result()
EOF
  java "$heap" -jar "$jar" run --bootstrap-servers "127.0.0.1:$port" --application-id "compare-$label-$round" \
    --state-dir "$work/state-$label-$round" --http-address "127.0.0.1:$http" "${extra[@]}" >"$work/run-$label-$round.log" 2>&1 &
  run=$!; pids+=("$run")
  wait_for 120 curl -sf "http://127.0.0.1:$http/ready"
  (while kill -0 "$run" 2>/dev/null; do ps -o rss= -p "$run" >>"$work/rss-$label-$round"; sleep 1; done) &
  sampler=$!
  java -jar "$current" loadtest --bootstrap-servers "127.0.0.1:$port" "${loadtest_args[@]}" >"$work/load-$label-$round.json" \
    2>"$work/load-$label-$round.err" || { cat "$work/load-$label-$round.err" >&2; return 1; }
  # CPU seconds the processor spent (user + system, from /proc): the same work for both releases, and far less
  # sensitive to a noisy machine than latencies are
  awk -v hz="$(getconf CLK_TCK)" '{print ($14 + $15) / hz}' "/proc/$run/stat" >"$work/cpu-$label-$round"
  kill "$run" "$broker"; wait "$run" "$broker" 2>/dev/null || true
  kill "$sampler" 2>/dev/null || true
  "$python" - "$label" "$round" "$jar" "$work/load-$label-$round.json" "$work/rss-$label-$round" "$work/cpu-$label-$round" <<'EOF'
import json, sys
label, round_, jar, load, rss, cpu = sys.argv[1:]
result = json.loads(open(load).read().strip().splitlines()[-1])
samples = [int(x) for x in open(rss).read().split()]
print(json.dumps({"release": label, "round": int(round_), "jar": jar, "peak_rss_mb": round(max(samples) / 1024),
                  "processor_cpu_s": round(float(open(cpu).read()), 1), **result}))
EOF
}

for round in $(seq "$rounds"); do
  one previous "$previous" "$round" | tee -a "$work/results.jsonl"
  one current "$current" "$round" | tee -a "$work/results.jsonl"
done

"$python" - "$work/results.jsonl" <<'EOF'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
def mean(release, *path):
    values = []
    for r in rows:
        if r["release"] == release:
            v = r
            for key in path:
                v = v[key]
            values.append(v)
    return statistics.mean(values)
burst = ("burst_checkpoints_per_s",)
p99 = ("steady_latency_p99_ms",)
print(json.dumps({
    "burst_ratio_current_to_previous": round(mean("current", *burst) / mean("previous", *burst), 3),
    "processor_cpu_ratio_current_to_previous": round(mean("current", "processor_cpu_s") / mean("previous", "processor_cpu_s"), 3),
    "steady_p99_ms": {"previous": round(mean("previous", *p99)), "current": round(mean("current", *p99))},
    "peak_rss_mb": {"previous": round(mean("previous", "peak_rss_mb")), "current": round(mean("current", "peak_rss_mb"))},
}))
EOF
