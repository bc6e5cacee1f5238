#!/usr/bin/env bash
# Requests/s and latency of the HTTP API, measured with wrk (Debian: apt-get install wrk) against `run`
# instances on a broker of their own: /api/runs, the page of a run the asked instance processes, of one another
# instance processes (with three) and /metrics, with RUNS_SMALL and then RUNS_LARGE runs (one small checkpoint each),
# on one instance and on three.
#
#   tools/http-bench.sh [JAR]        (default target/headgeo.jar; DURATION=15s CONNECTIONS=16 RUNS_SMALL=200 RUNS_LARGE=2000
#                                     PARTITIONS=3; needs wrk and Debian's python3-confluent-kafka)
#
# Prints one Markdown table row per (instances, runs, path). Absolute figures depend on the machine; wrk runs
# on the same one, taking CPU from the instances.
set -euo pipefail
JAR=${1:-target/headgeo.jar}
DURATION=${DURATION:-15s}
CONNECTIONS=${CONNECTIONS:-16}
RUNS_SMALL=${RUNS_SMALL:-200}
RUNS_LARGE=${RUNS_LARGE:-2000}
PARTITIONS=${PARTITIONS:-3}
work=$(mktemp -d /tmp/headgeo-http-bench.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
await() { for _ in $(seq 1 240); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.5; done; echo "no '$2' in $1" >&2; tail -5 "$1" >&2; exit 1; }

bench() {   # instances runs path port
  local out
  out=$(wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency "http://127.0.0.1:$4$3")
  local rps p50 p99 non2xx
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  non2xx=$(awk '/Non-2xx/ {print $NF}' <<<"$out")
  echo "| $1 | $2 | \`$3\` | $rps | $p50 | $p99 | ${non2xx:-0} |"
}

# loadtest spreads CHECKPOINTS checkpoints over RUNS runs: one small checkpoint per run
publish() { java -jar "$JAR" loadtest --bootstrap-servers "127.0.0.1:$bport" --runs "$1" --burst "$1" --steady 0s --warmup 0s \
  --layers 4 --heads 4 --rank 8 --patience 10m >"$work/loadtest-$1.json" 2>"$work/loadtest-$1.err"; }

echo "| instances | runs | path | requests/s | p50 | p99 | non-2xx |"
echo "|---|---|---|---|---|---|---|"
for instances in 1 3; do
  bport=$(free_port)
  java -jar "$JAR" broker --port "$bport" >"$work/broker-$instances.log" 2>&1 & pids+=($!)
  await "$work/broker-$instances.log" "127.0.0.1:$bport"
  # the input with PARTITIONS partitions (default 3), so that three instances each process a share
  /usr/bin/python3 -c '
import sys
from confluent_kafka.admin import AdminClient, NewTopic
admin = AdminClient({"bootstrap.servers": sys.argv[1]})
for f in admin.create_topics([NewTopic("headgeo.layers", int(sys.argv[2]), 1)]).values():
    f.result()' "127.0.0.1:$bport" "$PARTITIONS"
  ports=()
  for i in $(seq 1 "$instances"); do
    port=$(free_port); ports+=("$port")
    java -Xmx512m -jar "$JAR" run --bootstrap-servers "127.0.0.1:$bport" --application-id "bench-$instances" \
      --state-dir "$work/state-$instances-$i" --instance-id "i$i" --http-address "127.0.0.1:$port" >"$work/run-$instances-$i.log" 2>&1 & pids+=($!)
  done
  for i in $(seq 1 "$instances"); do await "$work/run-$instances-$i.log" "ready:"; done
  total=0
  for runs in "$RUNS_SMALL" "$RUNS_LARGE"; do
    publish $((runs - total)); total=$runs
    # until the first instance lists every run
    for _ in $(seq 1 240); do
      n=$(curl -s "http://127.0.0.1:${ports[0]}/api/runs" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["runs"]))' || echo 0)
      [ "$n" -ge "$runs" ] && break; sleep 1
    done
    # one run the asked instance processes itself and (with three) one another instance does: the page of the second
    # costs a hop to the instance its key names (queryMetadataForKey), not one to every instance
    pick() { curl -s -H 'X-Headgeo-Local: 1' "http://127.0.0.1:${ports[0]}/api/runs" | python3 -c '
import json, sys, urllib.parse
mine = {r["run_id"] for r in json.load(sys.stdin)["runs"] if r["copy"] == "active"}
every = sorted(r["run_id"] for r in json.load(open(sys.argv[1]))["runs"])
want = [r for r in every if (r in mine) == (sys.argv[2] == "here")]
print(urllib.parse.quote(want[0], safe="") if want else "")' <(curl -s "http://127.0.0.1:${ports[0]}/api/runs") "$1"; }
    # until the asked instance processes a run of its own (its active tasks may still be moving to it)
    for _ in $(seq 1 120); do here=$(pick here); [ -n "$here" ] && break; sleep 1; done
    elsewhere=$(pick elsewhere)
    paths=(/api/runs "/api/runs/$here")
    [ -n "$elsewhere" ] && paths+=("/api/runs/$elsewhere")
    paths+=(/metrics)
    for path in "${paths[@]}"; do bench "$instances" "$runs" "$path" "${ports[0]}"; done
  done
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; pids=()
done
