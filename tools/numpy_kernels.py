#!/usr/bin/env python3
"""Writes src/test/resources/kernels/numpy_sums.json: seeded random vectors and what numpy makes of
them (np.sum, np.mean, np.std, (x * y).sum(), np.min, np.max, np.corrcoef(x, y)[0, 1]), every
double as float.hex() so that the test compares bits, not printed digits. NumpyKernelsTest checks
headgeo's NumpySum against it. Lengths cover numpy's pairwise summation's edges (under 8, the
eight-accumulator block up to 128, and the recursive split above).

    python3 tools/numpy_kernels.py
"""

import json
import sys

import numpy as np

OUT = "src/test/resources/kernels/numpy_sums.json"
LENGTHS = [0, 1, 2, 7, 8, 9, 15, 16, 17, 100, 127, 128, 129, 130, 200, 255, 256, 257, 300, 511, 1000, 1024, 1031, 2051]


def hexes(a):
    return [float(v).hex() for v in a]


def main():
    rng = np.random.default_rng(20261202)
    cases = []
    for n in LENGTHS:
        # magnitudes over six decades, so that the order of addition changes the last bits
        x = rng.standard_normal(n) * 10.0 ** rng.uniform(-3, 3, n)
        y = np.abs(rng.standard_normal(n)) * 10.0 ** rng.uniform(-2, 2, n)
        with np.errstate(all="ignore"):
            case = {
                "x": hexes(x),
                "y": hexes(y),
                "sum": float(np.sum(x)).hex(),
                "mean": float(np.mean(x)).hex() if n else "nan",
                "std": float(np.std(x)).hex() if n else "nan",
                "dot": float((x * y).sum()).hex(),
                "min": float(np.min(x)).hex() if n else "nan",
                "max": float(np.max(x)).hex() if n else "nan",
                "corrcoef": float(np.corrcoef(x, y)[0, 1]).hex() if n > 1 else "nan",
            }
        cases.append(case)
    with open(OUT, "w") as f:
        json.dump({"numpy": np.__version__, "cases": cases}, f)
    print(f"{len(cases)} cases, numpy {np.__version__}", file=sys.stderr)


if __name__ == "__main__":
    main()
