"""load_runs from an instance's HTTP API and from Kafka: the same frames, for the runs asked; prints a summary line.

load_runs_check.py HTTP_URL TOKEN BOOTSTRAP RUN [RUN ...]
"""

import json
import sys
import urllib.parse
import urllib.request

import headgeo
import pandas as pd

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
# the CSV export carries the same training context and health as the frames, the run id as one path segment
for run in runs:
    request = urllib.request.Request(
        f"{url.rstrip('/')}/api/runs/{urllib.parse.quote(run, safe='')}/export?format=csv",
        headers={"Authorization": f"Bearer {token}"},
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        csv = pd.read_csv(answer)
    frame = c[c["run"] == run].sort_values("checkpoint").reset_index(drop=True)
    pd.testing.assert_series_equal(csv["checkpoint"], frame["checkpoint"], check_dtype=False, obj=f"{run} checkpoints")
    for column in (*headgeo.records.CONTEXT_KEYS, "health_min_entropy", "health_max_sigma"):
        pd.testing.assert_series_equal(
            csv[column], frame[column], check_exact=True, check_dtype=False, check_names=False, obj=f"{run} {column}"
        )
    assert csv["health_state"].tolist() == frame["health_state"].tolist(), (run, csv["health_state"].tolist())
print(
    json.dumps(
        {
            "runs": sorted(c["run"].unique().tolist()),
            "all_runs": sorted(every_run.checkpoints["run"].unique().tolist()),
            "checkpoints": len(c),
            "layers": len(from_kafka.layers),
            "heads": len(from_kafka.heads),
            "loss": c.sort_values(["run", "checkpoint"])["loss"].tolist(),
            "learning_rate": c["learning_rate"].tolist(),
            "grad_norm_nan": int(c["grad_norm"].isna().sum()),
            "verdicts": c["verdict_last"].tolist(),
            "head_residual_nan": int(from_kafka.heads["residual"].isna().sum()),
            "layer_columns": list(from_kafka.layers.columns),
            "missing": missing,
            "repr": repr(from_kafka),
        }
    )
)
