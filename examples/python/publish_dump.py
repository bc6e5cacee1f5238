#!/usr/bin/env python3
"""Publishes a dump in the reference script's layout through headgeo_producer.

    python3 examples/python/publish_dump.py DUMP.json --run RUN --checkpoint N --bootstrap-servers 127.0.0.1:9092
"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from headgeo_producer import HeadgeoProducer  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dump")
    ap.add_argument("--run", required=True)
    ap.add_argument("--checkpoint", type=int, required=True)
    ap.add_argument("--bootstrap-servers", default="localhost:9092")
    ap.add_argument("--topic", default="headgeo.layers")
    ap.add_argument("-X", dest="config", action="append", default=[], metavar="KEY=VALUE",
                    help="librdkafka setting, as with kcat (e.g. -X partitioner=consistent_random)")
    args = ap.parse_args()
    config = dict(kv.split("=", 1) for kv in args.config)
    with open(args.dump) as f:
        dump = json.load(f)
    sv = [row["metric_singvals_per_head"] for row in dump["static"]]
    ent = [row["mean_attention_entropy_per_head"] for row in dump["dynamic"]]
    n = HeadgeoProducer(args.bootstrap_servers, args.topic, **config).publish_checkpoint(args.run, args.checkpoint, sv, ent)
    print(f"published {n} layer records of {args.run}@{args.checkpoint}")


if __name__ == "__main__":
    main()
