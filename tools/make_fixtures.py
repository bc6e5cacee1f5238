#!/usr/bin/env python3
"""Writes headgeo's golden fixtures: synthetic dumps in the reference script's layout and the
script's printed output for each anchor. Run it from the repository root when the fixtures must
change; the tests only read what it wrote (no python at test time).

    python3 tools/make_fixtures.py --script ../shared/reference/sa_schedule_derive_from_last.py

A dump of any size for `headgeo bench`:

    python3 tools/make_fixtures.py --one 80 64 128 > /tmp/80x64x128.json
"""

import argparse
import gzip
import json
import os
import subprocess
import sys

import numpy as np

OUT = "src/test/resources/golden"


def sig(x, digits=7):
    return float(f"{x:.{digits}g}")


def synthetic(
    layers, heads, rank, seed, noise=0.02, drift=0.0, ranks=None, zero=(), const_entropy=None, identical=False
):
    """Spectra that are roughly a temperature-rescaled shared operator.

    noise: multiplicative per-value noise; drift: how much the spectral decay changes with depth;
    ranks: per-head rank list (ragged); zero: (layer, head) cells that are all zero;
    const_entropy: a constant entropy for every cell; identical: every layer the same.
    """
    rng = np.random.RandomState(seed)
    decay = rng.uniform(4.0, 30.0, size=heads)
    scale = rng.uniform(0.5, 3.0, size=heads)
    static, dynamic = [], []
    for L in range(layers):
        temp = 1.0 if identical else 0.4 + 1.6 * (L + 1) / layers
        svs, ents = [], []
        for h in range(heads):
            k = ranks[h] if ranks else rank
            idx = np.arange(k)
            tau = decay[h] * (1.0 if identical else max(0.2, 1.0 + drift * (L / max(layers - 1, 1) - 0.5)))
            s = scale[h] * temp * np.exp(-idx / tau)
            if not identical:
                s = s * (1.0 + noise * rng.standard_normal(k))
            s = np.abs(s)
            if (L, h) in zero:
                s = np.zeros(k)
            svs.append([sig(v) for v in s])
            e = const_entropy if const_entropy is not None else 3.0 - 0.8 * np.log(temp) + 0.1 * rng.standard_normal()
            ents.append(sig(e))
        static.append({"layer": L, "metric_singvals_per_head": svs})
        dynamic.append({"layer": L, "mean_attention_entropy_per_head": ents})
    return {"num_layers": layers, "num_heads": heads, "static": static, "dynamic": dynamic}


FIXTURES = {
    "one_layer": lambda: synthetic(1, 3, 8, 1),
    "one_head": lambda: synthetic(5, 1, 16, 2, noise=0.05),
    "one_layer_one_head": lambda: synthetic(1, 1, 4, 3),
    "two_layers": lambda: synthetic(2, 2, 6, 4, noise=0.1),
    "ragged_ranks": lambda: synthetic(6, 4, 0, 5, noise=0.05, drift=0.5, ranks=[16, 4, 9, 1]),
    "zero_heads": lambda: synthetic(4, 3, 8, 6, zero={(1, 0), (3, 2), (2, 2)}),
    "constant_entropy": lambda: synthetic(4, 4, 8, 7, const_entropy=2.0),
    "identical_layers": lambda: synthetic(5, 3, 10, 8, identical=True),
    "supported_12x12x64": lambda: synthetic(12, 12, 64, 9, noise=0.01),
    "partial_12x12x64": lambda: synthetic(12, 12, 64, 10, noise=0.22, drift=0.5),
    "rejected_12x12x64": lambda: synthetic(12, 12, 64, 11, noise=0.6, drift=3.0),
    "drift_32x32x128": lambda: synthetic(32, 32, 128, 12, noise=0.08, drift=2.0),
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--script", help="the reference script")
    ap.add_argument(
        "--one",
        nargs=3,
        type=int,
        metavar=("LAYERS", "HEADS", "RANK"),
        help="print one synthetic dump to stdout instead",
    )
    ap.add_argument("--seed", type=int, default=42)
    args = ap.parse_args()
    if args.one:
        json.dump(synthetic(*args.one, seed=args.seed, noise=0.08, drift=2.0), sys.stdout)
        return
    if not args.script:
        ap.error("--script is required")
    os.makedirs(OUT, exist_ok=True)
    for name, make in FIXTURES.items():
        dump = make()
        text = json.dumps(dump)
        path = os.path.join(OUT, name + ".json")
        with open(path, "w") as f:
            f.write(text)
        for anchor in ("last", "middle", "best"):
            out = subprocess.run(
                [sys.executable, args.script, path, "--anchor", anchor], check=True, capture_output=True, text=True
            ).stdout
            with open(os.path.join(OUT, f"{name}.{anchor}.txt"), "w") as f:
                f.write(out)
        if len(text) > 200_000:
            with gzip.open(path + ".gz", "wt") as f:
                f.write(text)
            os.remove(path)
        print(name, file=sys.stderr)


if __name__ == "__main__":
    main()
