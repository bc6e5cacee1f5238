#!/usr/bin/env python3
"""Test helper: a training loop's publishing, through whatever the test does to the broker meanwhile.

    publish_through_outage.py BOOTSTRAP RUN CHECKPOINTS INTERVAL_S [--spool DIR] [--close-timeout S] [--drain] [--hold]

Publishes CHECKPOINTS small checkpoints of RUN (4 layers, 4 heads), one every INTERVAL_S seconds, never
blocking; prints "published N" as each is handed over and "delivered N" / "failed N: cause" as Kafka answers;
then close(close-timeout) and "undelivered K". With --drain (and CHECKPOINTS 0) it only waits until the
spool directory holds nothing to send (what it moved aside to rejected/ aside), as a next job would send what an
earlier one kept. With --hold it prints "holding" after publishing and waits to be stopped (by a signal).
"""

import argparse
import os
import sys
import time

import numpy as np
from headgeo import HeadgeoProducer


def main():
    p = argparse.ArgumentParser()
    p.add_argument("bootstrap")
    p.add_argument("run")
    p.add_argument("checkpoints", type=int)
    p.add_argument("interval", type=float)
    p.add_argument("--spool")
    p.add_argument("--close-timeout", type=float, default=120.0)
    p.add_argument("--drain", action="store_true")
    p.add_argument("--hold", action="store_true")
    a = p.parse_args()
    producer = HeadgeoProducer(a.bootstrap, spool_dir=a.spool)

    def said(run, checkpoint, err):
        print(f"delivered {checkpoint}" if err is None else f"failed {checkpoint}: {err}", flush=True)

    rng = np.random.default_rng(3)
    for i in range(1, a.checkpoints + 1):
        sv = [[sorted(rng.uniform(0.1, 2.0, 8).tolist(), reverse=True) for _ in range(4)] for _ in range(4)]
        ent = [rng.uniform(0.5, 2.0, 4).tolist() for _ in range(4)]
        started = time.monotonic()
        producer.publish_checkpoint(a.run, 100 * i, sv, ent, block=False, on_delivery=said)
        print(f"published {100 * i} in {1000 * (time.monotonic() - started):.0f} ms", flush=True)
        time.sleep(a.interval)
    if a.hold:
        print("holding", flush=True)
        time.sleep(600)
    if a.drain:
        deadline = time.monotonic() + a.close_timeout
        while [n for n in os.listdir(a.spool) if n != "rejected"] and time.monotonic() < deadline:
            time.sleep(0.2)
    print(f"undelivered {producer.close(a.close_timeout)}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
