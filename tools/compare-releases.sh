#!/usr/bin/env bash
# Throughput of two releases side by side, in one run, on the same load (issue #28):
#
#   tools/compare-releases.sh PREVIOUS_JAR [CURRENT_JAR]
#
# For each round (ROUNDS, default 2) and each jar, alternating: a fresh single-node broker (CURRENT_JAR broker) with the
# topics at PARTITIONS (default 3), `run` of that jar in a JVM of its own (HEAP, default -Xmx1g), and CURRENT_JAR's
# loadtest against it (LOADTEST_ARGS, default: 32 layers x 32 heads x rank 128, steady 20/s with a 30 s warm-up, burst 300). The processor's
# RSS is sampled every second while the load runs, and its CPU seconds (user + system) and the broker's are read at the end. Prints one JSON line per round and jar, then the ratios of the
# current release to the previous one (burst throughput, steady p99, peak RSS). CURRENT_RUN_ARGS: more flags for the
# current release's `run` (say, --kafka num.stream.threads=2).
#
# PRODUCERS (default "java python-json"): which load generators, each a run of its own for both jars: `java` is
# CURRENT_JAR's loadtest (Java client, Avro layer records of today's version); `python-json` is tools/python-load.py,
# the Python client's HeadgeoProducer over librdkafka with the records it writes (JSON, layer record v1); `python-avro`
# the same records in Avro single-object encoding (schema v1); a `-tags` suffix (python-json-tags, python-avro-tags)
# adds tags, which makes them version 2. The Python generator runs in LOAD_PYTHON (the venv of tools/python-venv.sh).
set -euo pipefail
previous=${1:?usage: tools/compare-releases.sh PREVIOUS_JAR [CURRENT_JAR]}
current=${2:-target/headgeo.jar}
rounds=${ROUNDS:-2}
partitions=${PARTITIONS:-3}
heap=${HEAP:--Xmx1g}
read -r -a loadtest_args <<< "${LOADTEST_ARGS:---layers 32 --heads 32 --rank 128 --rate 20 --warmup 30s --steady 30s --burst 300}"
python=${PYTHON:-/usr/bin/python3}
load_python=${LOAD_PYTHON:-$HOME/.cache/headgeo/venv/bin/python}
read -r -a producers <<< "${PRODUCERS:-java python-json}"
here=$(cd "$(dirname "$0")" && pwd)
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

load() { # load PRODUCER BOOTSTRAP: one load generator's JSON line on stdout
  local producer=$1 bootstrap=$2 flags=()
  case $producer in
    java) java -jar "$current" loadtest --bootstrap-servers "$bootstrap" "${loadtest_args[@]}"; return ;;
    python-json) flags=(--encoding json) ;;
    python-json-tags) flags=(--encoding json --tags) ;;
    python-avro) flags=(--encoding avro) ;;
    python-avro-tags) flags=(--encoding avro --tags) ;;
    *) echo "unknown producer $producer (java, python-json, python-avro, python-json-tags, python-avro-tags)" >&2; return 2 ;;
  esac
  "$load_python" "$here/python-load.py" --bootstrap-servers "$bootstrap" "${flags[@]}" "${loadtest_args[@]}"
}

one() { # one LABEL JAR ROUND PRODUCER
  local label=$1 jar=$2 round=$3 producer=$4 port http broker run sampler extra=()
  [[ $label == current && -n ${CURRENT_RUN_ARGS:-} ]] && read -r -a extra <<< "$CURRENT_RUN_ARGS"
  port=$(free_port); http=$(free_port)
  java -jar "$current" broker --port "$port" >"$work/broker-$label-$round-$producer.log" 2>&1 &
  broker=$!; pids+=("$broker")
  wait_for 60 grep -q "Kafka is up" "$work/broker-$label-$round-$producer.log"
  "$python" - "$port" "$partitions" <<'EOF'
import sys
from confluent_kafka.admin import AdminClient, NewTopic
admin = AdminClient({"bootstrap.servers": f"127.0.0.1:{sys.argv[1]}"})
topics = ["headgeo.layers", "headgeo.reports", "headgeo.alerts", "headgeo.dead-letters"]
for future in admin.create_topics([NewTopic(t, int(sys.argv[2]), 1) for t in topics]).values():
    future.result()
EOF
  java "$heap" -jar "$jar" run --bootstrap-servers "127.0.0.1:$port" --application-id "compare-$label-$round-$producer" \
    --state-dir "$work/state-$label-$round-$producer" --http-address "127.0.0.1:$http" "${extra[@]}" >"$work/run-$label-$round-$producer.log" 2>&1 &
  run=$!; pids+=("$run")
  wait_for 120 curl -sf "http://127.0.0.1:$http/ready"
  (while kill -0 "$run" 2>/dev/null; do ps -o rss= -p "$run" >>"$work/rss-$label-$round-$producer"; sleep 1; done) &
  sampler=$!
  load "$producer" "127.0.0.1:$port" >"$work/load-$label-$round-$producer.json" 2>"$work/load-$label-$round-$producer.err" \
    || { cat "$work/load-$label-$round-$producer.err" >&2; return 1; }
  # CPU seconds the processor spent (user + system, from /proc): the same work for both releases, and far less
  # sensitive to a noisy machine than latencies are
  awk -v hz="$(getconf CLK_TCK)" '{print ($14 + $15) / hz}' "/proc/$run/stat" >"$work/cpu-$label-$round-$producer"
  # and the broker's: what the processor writes back (changelogs, reports) costs the broker too, on the same cores
  awk -v hz="$(getconf CLK_TCK)" '{print ($14 + $15) / hz}' "/proc/$broker/stat" >"$work/broker-cpu-$label-$round-$producer"
  kill "$run" "$broker"; wait "$run" "$broker" 2>/dev/null || true
  kill "$sampler" 2>/dev/null || true
  "$python" - "$label" "$round" "$jar" "$work/load-$label-$round-$producer.json" "$work/rss-$label-$round-$producer" "$work/cpu-$label-$round-$producer" \
    "$producer" "$work/broker-cpu-$label-$round-$producer" <<'EOF'
import json, sys
label, round_, jar, load, rss, cpu, producer, broker_cpu = sys.argv[1:]
result = json.loads(open(load).read().strip().splitlines()[-1])
samples = [int(x) for x in open(rss).read().split()]
print(json.dumps({"release": label, "round": int(round_), "jar": jar, "load": producer, "peak_rss_mb": round(max(samples) / 1024),
                  "processor_cpu_s": round(float(open(cpu).read()), 1),
                  "broker_cpu_s": round(float(open(broker_cpu).read()), 1), **result}))
EOF
}

for round in $(seq "$rounds"); do
  for producer in "${producers[@]}"; do
    one previous "$previous" "$round" "$producer" | tee -a "$work/results.jsonl"
    one current "$current" "$round" "$producer" | tee -a "$work/results.jsonl"
  done
done

"$python" - "$work/results.jsonl" <<'EOF'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
def mean(load, release, key):
    return statistics.mean(r[key] for r in rows if r["release"] == release and r["load"] == load)
# one line per load generator: the current release against the previous one on that load
for load in dict.fromkeys(r["load"] for r in rows):
    both = lambda key, digits=0: {"previous": round(mean(load, "previous", key), digits),
                                  "current": round(mean(load, "current", key), digits)}
    print(json.dumps({
        "load": load,
        "burst_checkpoints_per_s": both("burst_checkpoints_per_s", 1),
        "burst_ratio_current_to_previous": round(mean(load, "current", "burst_checkpoints_per_s")
                                                 / mean(load, "previous", "burst_checkpoints_per_s"), 3),
        "processor_cpu_ratio_current_to_previous": round(mean(load, "current", "processor_cpu_s")
                                                         / mean(load, "previous", "processor_cpu_s"), 3),
        "broker_cpu_ratio_current_to_previous": round(mean(load, "current", "broker_cpu_s")
                                                      / mean(load, "previous", "broker_cpu_s"), 3),
        "steady_p99_ms": both("steady_latency_p99_ms"),
        "peak_rss_mb": both("peak_rss_mb"),
    }))
EOF
