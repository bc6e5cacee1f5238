"""load_runs from an instance's HTTP API and from Kafka: the same frames, for the runs asked; prints a summary line.

    load_runs_check.py HTTP_URL TOKEN BOOTSTRAP RUN [RUN ...]
"""
import json
import sys

import pandas as pd

import headgeo

url, token, bootstrap, *runs = sys.argv[1:]
over_http = headgeo.load_runs(url, runs=runs, token=token)
from_kafka = headgeo.load_runs(bootstrap, runs=runs)
every_run = headgeo.load_runs(bootstrap)
for name in ("checkpoints", "layers", "heads"):
    a, b = getattr(over_http, name), getattr(from_kafka, name)
    # analyzed_at and the other times are the same instants from both sources
    pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True), check_exact=True, obj=name)
try:
    headgeo.load_runs(url, runs=["no such run"], token=token)
    raise SystemExit("a run the instance does not know was loaded")
except ValueError as e:
    missing = str(e)
c = from_kafka.checkpoints
print(json.dumps({
    "runs": sorted(c["run"].unique().tolist()),
    "all_runs": sorted(every_run.checkpoints["run"].unique().tolist()),
    "checkpoints": len(c), "layers": len(from_kafka.layers), "heads": len(from_kafka.heads),
    "loss": c.sort_values(["run", "checkpoint"])["loss"].tolist(),
    "learning_rate": c["learning_rate"].tolist(),
    "verdicts": c["verdict_last"].tolist(),
    "head_residual_nan": int(from_kafka.heads["residual"].isna().sum()),
    "layer_columns": list(from_kafka.layers.columns),
    "missing": missing,
    "repr": repr(from_kafka),
}))
