#!/usr/bin/env python3
"""Test helper: publishes one checkpoint of RUN and follows its report as a callback with log_reports does.

    publish_and_follow.py BOOTSTRAP RUN CHECKPOINT

Prints "report CHECKPOINT" when its report came back within 30 s, else "no report"; the client's own lines (a LATE
dead letter, say) go to stderr.
"""

import logging
import sys

from headgeo import HeadgeoProducer
from headgeo.reports import ReportFollower


def main():
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    bootstrap, run, checkpoint = sys.argv[1], sys.argv[2], int(sys.argv[3])
    follower = ReportFollower(bootstrap, run)
    producer = HeadgeoProducer(bootstrap)
    follower.await_checkpoint(checkpoint)
    producer.publish_checkpoint(
        run, checkpoint, [[[2.0, 1.0], [1.5, 0.5]], [[1.0, 0.7], [0.9, 0.2]]], [[1.0, 1.2], [0.8, 0.9]]
    )
    outstanding = follower.wait(30)
    print("no report" if checkpoint in outstanding or not follower.take() else f"report {checkpoint}", flush=True)
    follower.close()
    producer.close(10)


if __name__ == "__main__":
    main()
