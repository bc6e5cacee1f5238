#!/usr/bin/env python3
"""Load through Kafka as training jobs send it: the Python client's HeadgeoProducer (librdkafka) publishes generated
checkpoints of one shape over several runs, first at a steady rate, then as fast as it can (a burst), and the reports
are read back read_committed. The same phases and the same JSON line as ``headgeo loadtest`` (the Java generator), so
that tools/compare-releases.sh sets the two side by side.

    python3 tools/python-load.py --bootstrap-servers HOST:PORT [--encoding json|avro] [--tags] [--layers 32 ...]

--encoding json (default): the records exactly as ``HeadgeoProducer.publish_checkpoint`` writes them by default (JSON,
layer record version 1 fields, version 2 with --tags). --encoding avro: as it writes them with ``value_format="avro"``
(Avro single-object encoding, schema version 1, version 2 with --tags), the bytes a producer in another language
writes too. Each run's records are encoded once and each checkpoint's copy gets its number put in (Python takes 0.1 s
to encode a 32 x 32 x 128 checkpoint: the processor, not the encoder, must be what is measured); the burst's are
prepared before it starts, so that the generator spends the burst sending. Latency is from the completing layer's
record timestamp (the report's completed_at) to the report's arrival. Exit status 1 when not every report came back
within --patience seconds."""

import argparse
import json
import os
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(REPO, "clients", "python"))

import numpy as np  # noqa: E402
from confluent_kafka import OFFSET_END, Consumer, TopicPartition  # noqa: E402
from headgeo import HeadgeoProducer, layer_records  # noqa: E402
from headgeo.producer import encode_records  # noqa: E402
from headgeo.reports import ReportDecoder  # noqa: E402

TAGS = {"owner": "loadtest", "lr": "3e-4", "config": "python-load"}


def synthetic_checkpoint(layers, heads, rank, noise=0.03, seed=7):
    """Spectra that follow the hypothesis to a degree, like the Java generator's SyntheticDumps (not bit for bit)."""
    random = np.random.default_rng(seed)
    decay = 4.0 + 26.0 * random.random(heads)
    scale = 0.5 + 2.5 * random.random(heads)
    k = np.arange(rank)
    singular_values, entropies = [], []
    for layer in range(layers):
        temperature = 0.4 + 1.6 * (layer + 1) / layers
        clean = scale[:, None] * temperature * np.exp(-k[None, :] / decay[:, None])
        singular_values.append(np.abs(clean * (1.0 + noise * random.standard_normal((heads, rank)))))
        entropies.append(3.0 - 0.8 * np.log(temperature) + 0.1 * random.standard_normal(heads))
    return singular_values, entropies


def zigzag_long(n):
    """Avro's encoding of a long: zig-zag, then base-128 varint."""
    n = (n << 1) ^ (n >> 63)
    out = bytearray()
    while n & ~0x7F:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


class Template:
    """One run's layer records encoded once (the client's own encoding), each checkpoint's copy with its number put in:
    Python needs about 0.1 s to encode a 32 x 32 x 128 checkpoint, too slow for a steady 20/s beside the processor."""

    PLACEHOLDER = 999_999_999_999

    def __init__(self, run_id, singular_values, entropies, tags, avro):
        self._avro = avro
        checkpoint = 0 if self._avro else self.PLACEHOLDER
        records = layer_records(
            run_id,
            checkpoint,
            singular_values,
            entropies,
            model="python-load",
            emitted_at_ms=int(time.time() * 1000),
            tags=tags,
        )
        if self._avro:
            # single-object header, run_id (the first field), then the checkpoint (0 is the one byte 0x00)
            head = 10 + len(zigzag_long(len(run_id.encode()))) + len(run_id.encode())
            self._parts = [(v[:head], v[head + 1 :]) for v in encode_records(records, "avro")]
        else:
            self._marker = b'"checkpoint":%d,' % self.PLACEHOLDER
            self._values = encode_records(records)
            assert all(v.count(self._marker) == 1 for v in self._values)

    def values(self, checkpoint):
        if self._avro:
            number = zigzag_long(checkpoint)
            return [head + number + rest for head, rest in self._parts]
        return [v.replace(self._marker, b'"checkpoint":%d,' % checkpoint) for v in self._values]


def percentiles(latencies):
    if not latencies:
        return None, None, None
    ordered = sorted(latencies)

    def at(q):
        return float(ordered[min(len(ordered) - 1, max(0, int(np.ceil(q * len(ordered))) - 1))])

    return at(0.5), at(0.99), float(ordered[-1])


class Reports:
    """Reads the reports topic from its end at start, read_committed, and keeps each report's arrival and latency."""

    def __init__(self, bootstrap, topic, prefix):
        self._consumer = Consumer(
            {
                "bootstrap.servers": bootstrap,
                "group.id": f"{prefix}reader",
                "isolation.level": "read_committed",
                "enable.auto.commit": False,
                "fetch.max.bytes": 64 * 1024 * 1024,
            }
        )
        partitions = self._consumer.list_topics(topic, timeout=30).topics[topic].partitions
        self._consumer.assign([TopicPartition(topic, p, OFFSET_END) for p in partitions])
        self._prefix = prefix
        # three fields of each report, the rest skipped unread: the reader shares the generator's process
        self._decoder = ReportDecoder(fields=("run_id", "checkpoint", "completed_at"))
        self.arrivals = {}
        self.latencies = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="python-load-reader", daemon=True)
        self._thread.start()

    def _run(self):
        while not self._stop.is_set():
            # poll, not consume(n): librdkafka's batch call waits out its timeout to fill the batch, which would add up
            # to that timeout to every latency measured
            polled = self._consumer.poll(0.1)
            now = time.time() * 1000
            for message in [polled] if polled is not None else []:
                if (
                    message.error() is not None
                    or not message.key()
                    or not message.key().decode().startswith(self._prefix)
                ):
                    continue
                report = self._decoder.decode(message.value())
                key = (report["run_id"], report["checkpoint"])
                self.arrivals[key] = now
                completed = report.get("completed_at")
                if completed is not None:
                    # fastavro gives timestamp-millis as an aware datetime, JSON reports give milliseconds
                    millis = completed.timestamp() * 1000 if hasattr(completed, "timestamp") else float(completed)
                    self.latencies[key] = now - millis
        self._consumer.close()

    def wait_for(self, count, patience):
        deadline = time.monotonic() + patience
        while len(self.arrivals) < count and time.monotonic() < deadline:
            time.sleep(0.02)

    def stop(self):
        self._stop.set()
        self._thread.join(10)


def seconds(text):
    """30, 30s or 2m, as ``headgeo loadtest`` takes them."""
    text = text.strip()
    if text.endswith("m"):
        return float(text[:-1]) * 60
    return float(text[:-1] if text.endswith("s") else text)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bootstrap-servers", required=True)
    parser.add_argument("--layers", type=int, default=32)
    parser.add_argument("--heads", type=int, default=32)
    parser.add_argument("--rank", type=int, default=128)
    parser.add_argument("--runs", type=int, default=6)
    parser.add_argument("--rate", type=float, default=20.0, help="steady checkpoints per second")
    parser.add_argument("--warmup", type=seconds, default=20.0, help="seconds of steady load left out of the latencies")
    parser.add_argument("--steady", type=seconds, default=20.0, help="seconds of steady load measured")
    parser.add_argument("--burst", type=int, default=200, help="checkpoints sent at once after the steady phase")
    parser.add_argument("--encoding", choices=["json", "avro"], default="json")
    parser.add_argument("--tags", action="store_true", help="records with tags (layer record version 2)")
    parser.add_argument("--layers-topic", default="headgeo.layers")
    parser.add_argument("--reports-topic", default="headgeo.reports")
    parser.add_argument("--patience", type=seconds, default=300.0, help="seconds to wait for the reports of each phase")
    args = parser.parse_args()

    prefix = f"pyload-{os.getpid():x}{int(time.time()) & 0xFFFF:x}-"
    tags = TAGS if args.tags else None
    singular_values, entropies = synthetic_checkpoint(args.layers, args.heads, args.rank)
    avro = args.encoding == "avro"

    templates = {}

    def encoded(index):
        run_id = f"{prefix}{index % args.runs}"
        if run_id not in templates:
            templates[run_id] = Template(run_id, singular_values, entropies, tags, avro)
        return run_id, templates[run_id].values(index)

    warmup_count = round(args.rate * args.warmup)
    steady_count = warmup_count + round(args.rate * args.steady)
    total = steady_count + args.burst
    burst = [encoded(i) for i in range(steady_count, total)]
    checkpoint_bytes = sum(len(v) for v in burst[0][1]) if burst else 0

    reports = Reports(args.bootstrap_servers, args.reports_topic, prefix)
    # as headgeo's own generator: batches in megabytes, 5 ms linger; the rest is the client's (idempotent, acks=all)
    # the buffer holds the whole burst (200 JSON checkpoints of 32 x 32 x 128 are 540 MB)
    burst_mb = sum(len(v) for _, values in burst for v in values) // 2**20
    producer = HeadgeoProducer(
        args.bootstrap_servers,
        topic=args.layers_topic,
        model="python-load",
        tags=tags,
        buffer_mb=max(256, 2 * burst_mb),
        value_format=args.encoding,
        kafka_config={"linger.ms": 5, "batch.size": 512 * 1024, "message.max.bytes": 4 * 1024 * 1024},
    )
    failures = []

    def delivered(run_id, checkpoint, error):
        if error is not None:
            failures.append(f"{run_id}@{checkpoint}: {error}")

    try:
        interval = 1.0 / args.rate if args.rate > 0 else 0.0
        next_send = time.monotonic()
        for i in range(steady_count):
            run_id, values = encoded(i)
            wait = next_send - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            producer.publish_values(run_id, i, values, block=False, on_delivery=delivered)
            next_send += interval
        reports.wait_for(steady_count, args.patience)
        burst_start_ms = time.time() * 1000
        for offset, (run_id, values) in enumerate(burst):
            producer.publish_values(run_id, steady_count + offset, values, block=False, on_delivery=delivered)
        reports.wait_for(total, args.patience)
    finally:
        reports.stop()
        producer.close(timeout=30, say=False)

    burst_arrivals = [t for (_, c), t in reports.arrivals.items() if c >= steady_count]
    burst_seconds = max(1e-3, (max(burst_arrivals, default=burst_start_ms) - burst_start_ms) / 1000)
    line = {
        "producer": f"python {args.encoding}" + (" with tags" if args.tags else ""),
        "layers": args.layers,
        "heads": args.heads,
        "rank": args.rank,
        "runs": args.runs,
        "steady_rate": args.rate,
        "warmup_s": args.warmup,
        "steady_s": args.steady,
        "sent": total,
        "received": len(reports.arrivals),
        "burst_checkpoints_per_s": round(len(burst_arrivals) / burst_seconds, 1),
        "burst_mb_per_s": round(len(burst_arrivals) * checkpoint_bytes / 1e6 / burst_seconds, 1),
        "checkpoint_bytes": checkpoint_bytes,
    }
    for phase, low, high in (("steady", warmup_count, steady_count), ("burst", steady_count, total)):
        p50, p99, worst = percentiles([v for (_, c), v in reports.latencies.items() if low <= c < high])
        line.update({f"{phase}_latency_p50_ms": p50, f"{phase}_latency_p99_ms": p99, f"{phase}_latency_max_ms": worst})
    if failures:
        line["undelivered"] = failures[:3]
    print(json.dumps(line), flush=True)
    return 0 if len(reports.arrivals) == total and not failures else 1


if __name__ == "__main__":
    sys.exit(main())
