#!/usr/bin/env python3
"""Test helper: publishes many checkpoints through the headgeo client package (librdkafka) in one process.

    publish_runs.py BOOTSTRAP [-X key=value ...] < [{"run": R, "checkpoint": N, "dump": PATH[, "partitioner": P]}, ...]

Prints one line per checkpoint; -X settings go to librdkafka (e.g. partitioner=consistent_random,
librdkafka's own default, to publish as a plain confluent-kafka or kcat producer would); an item's
"partitioner" overrides it for that item.
"""

import json
import sys

from headgeo import HeadgeoProducer


def main():
    bootstrap = sys.argv[1]
    config = {}
    args = sys.argv[2:]
    while args:
        if args[0] != "-X" or len(args) < 2:
            sys.exit("usage: publish_runs.py BOOTSTRAP [-X key=value ...]")
        key, value = args[1].split("=", 1)
        config[key] = value
        args = args[2:]
    producers = {}
    for item in json.load(sys.stdin):
        settings = dict(config, **({"partitioner": item["partitioner"]} if "partitioner" in item else {}))
        key = tuple(sorted(settings.items()))
        if key not in producers:
            producers[key] = HeadgeoProducer(bootstrap, **settings)
        producer = producers[key]
        with open(item["dump"]) as f:
            dump = json.load(f)
        sv = [row["metric_singvals_per_head"] for row in dump["static"]]
        ent = [row["mean_attention_entropy_per_head"] for row in dump["dynamic"]]
        n = producer.publish_checkpoint(item["run"], item["checkpoint"], sv, ent)
        print(f"published {n} layers of {item['run']}@{item['checkpoint']}", flush=True)
    for producer in producers.values():
        producer.close()


if __name__ == "__main__":
    main()
