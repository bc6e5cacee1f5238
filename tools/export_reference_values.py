#!/usr/bin/env python3
"""Writes, for every golden dump and anchor, the numbers the reference script computes, at full
precision, to OUT/NAME.ANCHOR.values.json (the script prints only 3-4 digits). GoldenValuesTest runs
it into a temporary directory on every build, so the values compared are the script's of the day.
The script itself is run, unchanged: its main() runs on the dump as on the command line and its
local variables are taken when it returns (T_map, resid_map, per_head_cos, c, c_op, anchor_L,
shape); the per-layer and overall numbers are the script's own numpy expressions on those maps,
and the cross-head similarity uses the script's own cos_sim. nan becomes null, as in reports.

    python3 tools/export_reference_values.py [--script tools/reference/sa_schedule_derive_from_last.py] --out DIR
"""

import argparse
import contextlib
import glob
import gzip
import importlib.util
import io
import json
import os
import sys
import tempfile

import numpy as np

GOLDEN = "src/test/resources/golden"


def number(x):
    x = float(x)
    return None if x != x else x


def numbers(a):
    return [number(v) for v in np.asarray(a).ravel()]


def run_script(module, dump_path, anchor):
    """main()'s locals when it returns."""
    seen = {}

    def profile(frame, event, arg):
        if event == "return" and frame.f_code is module.main.__code__:
            seen.update(frame.f_locals)

    argv = sys.argv
    sys.argv = [module.__file__, dump_path, "--anchor", anchor]
    sys.setprofile(profile)
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            module.main()
    finally:
        sys.setprofile(None)
        sys.argv = argv
    return seen


def values(module, v):
    num_layers, num_heads = v["num_layers"], v["num_heads"]
    resid, t, shape = v["resid_map"], v["T_map"], v["shape"]
    cross = []
    for L in range(num_layers):
        cs = [module.cos_sim(shape[L, h1], shape[L, h2]) for h1 in range(num_heads) for h2 in range(h1 + 1, num_heads)]
        with np.errstate(all="ignore"):
            cross.append(number(np.mean(cs)) if cs else None)
    with np.errstate(all="ignore"):
        return {
            "max_rank": int(v["sigma"].shape[-1]),
            "anchor_layer": int(v["anchor_L"]),
            "per_head_cos": numbers(v["per_head_cos"]),
            "shape_mean": number(v["per_head_cos"].mean()),
            "shape_std": number(v["per_head_cos"].std()),
            "shape_min": number(v["per_head_cos"].min()),
            "shape_max": number(v["per_head_cos"].max()),
            "T_map": [numbers(row) for row in t],
            "resid_map": [numbers(row) for row in resid],
            "layer_mean_resid": [number(resid[L].mean()) for L in range(num_layers)],
            "layer_max_resid": [number(resid[L].max()) for L in range(num_layers)],
            "layer_mean_T": [number(t[L].mean()) for L in range(num_layers)],
            "mean_residual": number(resid.mean()),
            "max_residual": number(resid.max()),
            "frac_below_010": number((resid < 0.10).mean()),
            "frac_below_020": number((resid < 0.20).mean()),
            "corr_scale_entropy": number(v["c"]),
            "corr_opnorm_entropy": number(v["c_op"]),
            "cross_head": cross,
        }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--script", default="tools/reference/sa_schedule_derive_from_last.py", help="the reference script")
    ap.add_argument("--golden", default=GOLDEN, help="the golden dumps")
    ap.add_argument("--out", required=True, help="where the .values.json files go")
    args = ap.parse_args()
    spec = importlib.util.spec_from_file_location("reference", args.script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    paths = sorted(glob.glob(os.path.join(args.golden, "*.json")) + glob.glob(os.path.join(args.golden, "*.json.gz")))
    for path in paths:
        if ".values." in path:
            continue
        name = os.path.basename(path).split(".json")[0]
        with tempfile.TemporaryDirectory() as tmp:
            dump = path
            if path.endswith(".gz"):
                dump = os.path.join(tmp, name + ".json")
                with gzip.open(path, "rt") as f, open(dump, "w") as out:
                    out.write(f.read())
            for anchor in ("last", "middle", "best"):
                with np.errstate(all="ignore"):
                    v = values(module, run_script(module, dump, anchor))
                with open(os.path.join(args.out, f"{name}.{anchor}.values.json"), "w") as f:
                    json.dump(v, f, allow_nan=False)


if __name__ == "__main__":
    main()
