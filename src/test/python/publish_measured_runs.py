#!/usr/bin/env python3
"""Test helper: publishes measured attention-health trajectories through the headgeo client (librdkafka), as a training
job would: each checkpoint's entropies, largest logits and probe length (layer record v3); the spectra are sigma_max
and two smaller values in a fixed shape (the analysis needs spectra; the health judgement needs only sigma_max).

    publish_measured_runs.py BOOTSTRAP FIXTURE.json
"""

import json
import sys

from headgeo import HeadgeoProducer


def main():
    bootstrap, fixture = sys.argv[1], sys.argv[2]
    with open(fixture) as f:
        runs = json.load(f)["runs"]
    producer = HeadgeoProducer(bootstrap, model="tiny-llama")
    for run, checkpoints in runs.items():
        for c in checkpoints:
            spectra = [[[s, 0.5 * s, 0.25 * s] for s in layer] for layer in c["sigma_max"]]
            n = producer.publish_checkpoint(
                run, c["step"], spectra, c["entropy"], max_logits=c["max_logit"], probe_tokens=128
            )
            print(f"published {n} layers of {run}@{c['step']}", flush=True)
    left = producer.close(30)
    sys.exit(1 if left else 0)


if __name__ == "__main__":
    main()
