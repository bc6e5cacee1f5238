#!/usr/bin/env bash
# A long steady load on one `run` process (its own broker), sampling the processor's RSS every minute:
# does memory level off? Prints "minute rss_mb" lines, then what the load rounds sent and received.
#
#   tools/soak.sh [JAR]     (default target/headgeo.jar; MINUTES=30 RATE=5 HEAP=512m LOADTEST_ARGS="--layers 32 --heads 32 --rank 128 --runs 20")
set -euo pipefail
JAR=${1:-target/headgeo.jar}
MINUTES=${MINUTES:-30}
RATE=${RATE:-5}
HEAP=${HEAP:-512m}
read -r -a extra <<< "${LOADTEST_ARGS:---layers 32 --heads 32 --rank 128 --runs 20}"
work=$(mktemp -d /tmp/headgeo-soak.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
await() { for _ in $(seq 1 240); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.5; done; echo "no '$2' in $1" >&2; exit 1; }

bport=$(free_port)
java -jar "$JAR" broker --port "$bport" >"$work/broker.log" 2>&1 & pids+=($!)
await "$work/broker.log" "127.0.0.1:$bport"
java -Xmx"$HEAP" -jar "$JAR" run --bootstrap-servers "127.0.0.1:$bport" --application-id soak --state-dir "$work/state" \
  --http-address 127.0.0.1:0 >"$work/run.log" 2>&1 & run=$!; pids+=($run)
await "$work/run.log" "ready:"
# loadtest encodes its records before it sends them, so the load comes in rounds of a minute (a few seconds apart)
( for m in $(seq 1 "$MINUTES"); do
    java -jar "$JAR" loadtest --bootstrap-servers "127.0.0.1:$bport" --rate "$RATE" --warmup 0s --steady 60s --burst 1 \
      --patience 5m "${extra[@]}" >>"$work/loadtest.json" 2>>"$work/loadtest.err" || exit 1
  done ) & load=$!; pids+=($load)
echo "minute rss_mb"
for m in $(seq 0 "$MINUTES"); do
  echo "$m $(( $(awk '/VmRSS/ {print $2}' /proc/$run/status) / 1024 ))"
  [ "$m" -lt "$MINUTES" ] && sleep 60
done
wait "$load" || { echo "loadtest failed:" >&2; grep -v '^\s*at ' "$work/loadtest.err" | tail -5 >&2; exit 1; }
# the rounds' sent/received and steady latencies
python3 -c 'import json,sys; rows=[json.loads(l) for l in open(sys.argv[1]) if l.strip()]; print("rounds", len(rows), "sent", sum(r["sent"] for r in rows), "received", sum(r["received"] for r in rows), "steady p99 ms per round", [r.get("steady_latency_p99_ms") for r in rows])' "$work/loadtest.json"
