#!/usr/bin/env python3
"""Publishes a dump in the reference script's layout through the headgeo client package.

    python3 examples/python/publish_dump.py DUMP.json --run RUN --checkpoint N --bootstrap-servers 127.0.0.1:9092 \\
        [--model gpt2] [--tag owner=ana --tag lr=3e-4]
"""

import argparse
import json
import sys

try:
    from headgeo import HeadgeoProducer, HeadgeoPublishError
except ImportError:
    # run from a clone without installing the client: take it from clients/python beside this example
    sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parents[2] / "clients" / "python"))
    from headgeo import HeadgeoProducer, HeadgeoPublishError


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dump")
    ap.add_argument("--run", required=True)
    ap.add_argument("--checkpoint", type=int, required=True)
    ap.add_argument("--bootstrap-servers", default="localhost:9092")
    ap.add_argument("--topic", default="headgeo.layers")
    ap.add_argument("--model", help="model name carried in each record")
    ap.add_argument(
        "--tag",
        dest="tags",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="run context carried in each record (repeat: --tag owner=ana --tag lr=3e-4)",
    )
    ap.add_argument(
        "--value-format",
        choices=["json", "avro"],
        default="json",
        help="JSON records (default, every release reads them) or Avro single-object encoding (needs fastavro)",
    )
    ap.add_argument(
        "-X",
        dest="config",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="librdkafka setting, as with kcat (e.g. -X partitioner=consistent_random)",
    )
    args = ap.parse_args()
    config = dict(kv.split("=", 1) for kv in args.config)
    bad = [kv for kv in args.tags if "=" not in kv]
    if bad:
        raise ValueError(f"--tag {bad[0]!r}: expected KEY=VALUE")
    tags = dict(kv.split("=", 1) for kv in args.tags)
    sv, ent = read_dump(args.dump)
    producer = HeadgeoProducer(
        args.bootstrap_servers, args.topic, model=args.model, tags=tags, value_format=args.value_format, **config
    )
    n = producer.publish_checkpoint(args.run, args.checkpoint, sv, ent)
    print(f"published {n} layer records of {args.run}@{args.checkpoint}")


def read_dump(path):
    """The per-layer singular values and entropies of a dump in the reference script's layout, or a ValueError in
    one line."""
    with open(path) as f:
        try:
            dump = json.load(f)
        except json.JSONDecodeError as e:
            raise ValueError(f"{path}: not JSON: {e}") from None
    try:
        sv = [row["metric_singvals_per_head"] for row in dump["static"]]
        ent = [row["mean_attention_entropy_per_head"] for row in dump["dynamic"]]
    except (KeyError, TypeError) as e:
        why = f"no {e}" if isinstance(e, KeyError) else str(e)
        raise ValueError(
            f"{path}: not a dump in the reference script's layout (static[].metric_singvals_per_head, "
            f"dynamic[].mean_attention_entropy_per_head): {why}"
        ) from None
    return sv, ent


if __name__ == "__main__":
    try:
        main()
    except HeadgeoPublishError as e:
        print(f"publish_dump: {e}", file=sys.stderr)
        sys.exit(1)
    except (OSError, ValueError) as e:
        print(f"publish_dump: {e}", file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        sys.exit(130)
