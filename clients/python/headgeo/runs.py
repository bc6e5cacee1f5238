"""Runs as pandas DataFrames: ``headgeo.load_runs(source, runs=None)`` (design §15).

    runs = headgeo.load_runs("http://headgeo:8080")            # any instance: the checkpoints it keeps
    runs = headgeo.load_runs("kafka:9092", runs=["llama-1e-2"])  # headgeo.reports itself: the whole history
    runs.checkpoints.plot(x="checkpoint", y="mean_residual_last")

Three frames, each sorted by run and checkpoint:

- ``checkpoints``: one row per run and checkpoint: status and verdicts, per anchor (``_last``, ``_middle``,
  ``_best``) the mean and max residual, the anchor layer, the fractions below 0.10 / 0.20 and the scale-entropy
  correlation, shape invariance, attention health, times (UTC), the model, the tags (``tags``, a dict) and, as
  numbers, the training context sent with the checkpoint (``loss``, ``learning_rate``, ``grad_norm``);
- ``layers``: run, checkpoint, anchor, layer: ``mean_residual``, ``max_residual``, ``mean_scale`` (T);
- ``heads``: run, checkpoint, anchor, layer, head: ``residual``, ``scale``, and from the attention health (when the
  report has it) ``entropy``, ``sigma_max``, ``max_logit``.

The two sources give equal frames for the checkpoints both hold: an instance answers with the full reports it keeps
(the latest ``--kept-reports`` per run, 16 by default), Kafka with every report the topic still has (read_committed,
the latest report of a checkpoint when it was reported twice). pandas is needed (``pip install headgeo[pandas]``);
the Kafka source also needs confluent-kafka and fastavro.
"""

from __future__ import annotations

import json
import math
import urllib.parse
import urllib.request
from collections.abc import Iterable
from typing import Any

from headgeo.records import CONTEXT_KEYS

ANCHORS = ("LAST", "MIDDLE", "BEST")


class Runs:
    """The frames of :func:`load_runs`."""

    def __init__(self, checkpoints, layers, heads):
        self.checkpoints = checkpoints
        self.layers = layers
        self.heads = heads

    def __repr__(self) -> str:
        runs = self.checkpoints["run"].nunique() if len(self.checkpoints) else 0
        return (
            f"Runs({runs} runs, {len(self.checkpoints)} checkpoints, "
            f"{len(self.layers)} layer rows, {len(self.heads)} head rows)"
        )


def load_runs(
    source: str,
    runs: Iterable[str] | None = None,
    topic: str = "headgeo.reports",
    token: str | None = None,
    timeout: float = 30.0,
    kafka_config: dict | None = None,
) -> Runs:
    """Loads runs' reports from an instance's HTTP API (``http://…``/``https://…``) or from Kafka (a bootstrap address).

    runs: the run ids to load (all when None). token: the instance's bearer token, if it has one. kafka_config: more
    librdkafka settings (security) for the Kafka source. Raises ValueError naming what could not be read.
    """
    wanted = None if runs is None else list(runs)
    if source.startswith(("http://", "https://")):
        reports = _from_http(source.rstrip("/"), wanted, token, timeout)
    else:
        reports = _from_kafka(source, wanted, topic, timeout, kafka_config or {})
    return frames(reports)


def frames(reports: Iterable[dict]) -> Runs:
    """The frames of full reports (JSON form or as fastavro decodes them); one per (run, checkpoint), the last given."""
    import pandas as pd

    latest: dict[tuple, dict] = {}
    for r in reports:
        latest[(r["run_id"], int(r["checkpoint"]))] = r
    checkpoints, layers, heads = [], [], []
    for (run, checkpoint), r in sorted(latest.items()):
        checkpoints.append(_checkpoint_row(r))
        health = {h["layer"]: h for h in ((r.get("attention_health") or {}).get("layers") or [])}
        for fit in r.get("fits") or []:
            anchor = fit["anchor"].lower()
            for lf in fit.get("layers") or []:
                layer = lf["layer"]
                layers.append(
                    {
                        "run": run,
                        "checkpoint": checkpoint,
                        "anchor": anchor,
                        "layer": layer,
                        "mean_residual": _num(lf.get("mean_residual")),
                        "max_residual": _num(lf.get("max_residual")),
                        "mean_scale": _num(lf.get("mean_scale")),
                    }
                )
                residuals = lf.get("head_residuals") or []
                scales = lf.get("head_scales") or []
                h = health.get(layer) or {}
                entropy, sigma, logit = h.get("entropy") or [], h.get("sigma_max") or [], h.get("max_logit") or []
                for head in range(max(len(residuals), len(scales))):
                    heads.append(
                        {
                            "run": run,
                            "checkpoint": checkpoint,
                            "anchor": anchor,
                            "layer": layer,
                            "head": head,
                            "residual": _at(residuals, head),
                            "scale": _at(scales, head),
                            "entropy": _at(entropy, head),
                            "sigma_max": _at(sigma, head),
                            "max_logit": _at(logit, head),
                        }
                    )
    columns = {
        "layers": ["run", "checkpoint", "anchor", "layer", "mean_residual", "max_residual", "mean_scale"],
        "heads": [
            "run",
            "checkpoint",
            "anchor",
            "layer",
            "head",
            "residual",
            "scale",
            "entropy",
            "sigma_max",
            "max_logit",
        ],
    }
    checkpoint_frame = pd.DataFrame(checkpoints, columns=_checkpoint_columns())
    for column in ("first_layer_at", "completed_at", "analyzed_at"):
        checkpoint_frame[column] = pd.to_datetime(checkpoint_frame[column], unit="ms", utc=True)
    return Runs(
        checkpoint_frame,
        _typed(pd.DataFrame(layers, columns=columns["layers"])),
        _typed(pd.DataFrame(heads, columns=columns["heads"])),
    )


def _typed(frame):
    """Numbers as float64 and ids as int64 whatever the source gave (JSON's null and Avro's NaN both become NaN)."""
    for column in frame.columns:
        if column in ("run", "anchor"):
            continue
        frame[column] = frame[column].astype("int64" if column in ("checkpoint", "layer", "head") else "float64")
    return frame


def _checkpoint_columns() -> list[str]:
    out = [
        "run",
        "checkpoint",
        "status",
        "verdict",
        "primary_anchor",
        "num_layers",
        "num_heads",
        "max_rank",
        "missing_layers",
    ]
    for a in ANCHORS:
        a = a.lower()
        out += [
            f"verdict_{a}",
            f"mean_residual_{a}",
            f"max_residual_{a}",
            f"anchor_layer_{a}",
            f"frac_below_0_10_{a}",
            f"frac_below_0_20_{a}",
            f"corr_scale_entropy_{a}",
        ]
    out += [
        "shape_invariance_mean",
        "shape_invariance_std",
        "shape_invariance_min",
        "shape_invariance_max",
        "stability",
        "corr_opnorm_entropy",
        "health_state",
        "health_min_entropy",
        "health_max_sigma",
        "health_max_logit",
        "health_collapsed_fraction",
        "health_forecast_checkpoint",
        "health_heads",
        *CONTEXT_KEYS,
        "model",
        "tags",
        "first_layer_at",
        "completed_at",
        "analyzed_at",
    ]
    return out


def _checkpoint_row(r: dict) -> dict:
    row: dict[str, Any] = {
        "run": r["run_id"],
        "checkpoint": int(r["checkpoint"]),
        "status": r.get("status"),
        "verdict": r.get("verdict"),
        "primary_anchor": r.get("primary_anchor"),
        "num_layers": r.get("num_layers"),
        "num_heads": r.get("num_heads"),
        "max_rank": r.get("max_rank"),
        "missing_layers": len(r.get("missing_layers") or []),
    }
    fits = {f["anchor"]: f for f in r.get("fits") or []}
    for a in ANCHORS:
        f = fits.get(a) or {}
        a = a.lower()
        row.update(
            {
                f"verdict_{a}": f.get("verdict"),
                f"mean_residual_{a}": _num(f.get("mean_residual")),
                f"max_residual_{a}": _num(f.get("max_residual")),
                f"anchor_layer_{a}": _num(f.get("anchor_layer")),
                f"frac_below_0_10_{a}": _num(f.get("frac_below_0_10")),
                f"frac_below_0_20_{a}": _num(f.get("frac_below_0_20")),
                f"corr_scale_entropy_{a}": _num(f.get("corr_scale_entropy")),
            }
        )
    si = r.get("shape_invariance") or {}
    row.update(
        {
            "shape_invariance_mean": _num(si.get("mean")),
            "shape_invariance_std": _num(si.get("std")),
            "shape_invariance_min": _num(si.get("min")),
            "shape_invariance_max": _num(si.get("max")),
            "stability": si.get("stability"),
            "corr_opnorm_entropy": _num(r.get("corr_opnorm_entropy")),
        }
    )
    health = r.get("attention_health") or {}
    row.update(
        {
            "health_state": health.get("state"),
            "health_min_entropy": _num(health.get("min_entropy")),
            "health_max_sigma": _num(health.get("max_sigma")),
            "health_max_logit": _num(health.get("max_logit")),
            "health_collapsed_fraction": _num(health.get("collapsed_fraction")),
            "health_forecast_checkpoint": _num(health.get("forecast_checkpoint")),
            "health_heads": list(health.get("heads") or []),
        }
    )
    tags = dict(r.get("tags") or {})
    for key in CONTEXT_KEYS:
        row[key] = _num(tags.get(key))
    row.update(
        {
            "model": r.get("model"),
            "tags": tags,
            "first_layer_at": _millis(r.get("first_layer_at")),
            "completed_at": _millis(r.get("completed_at")),
            "analyzed_at": _millis(r.get("analyzed_at")),
        }
    )
    return row


def _num(v: Any) -> float:
    """A float, NaN for null (JSON) or a non-number (a tag that is not one)."""
    if v is None:
        return math.nan
    try:
        return float(v)
    except (TypeError, ValueError):
        return math.nan


def _at(values: list, i: int) -> float:
    return _num(values[i]) if i < len(values) else math.nan


def _millis(v: Any) -> int | None:
    """Epoch milliseconds from JSON's number or fastavro's datetime."""
    if v is None:
        return None
    if hasattr(v, "timestamp"):
        return round(v.timestamp() * 1000)
    return int(v)


def _from_http(base: str, wanted: list[str] | None, token: str | None, timeout: float) -> list[dict]:
    def get(path: str) -> bytes:
        request = urllib.request.Request(base + path, headers={"Authorization": f"Bearer {token}"} if token else {})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.read()
        except urllib.error.HTTPError as e:
            detail = e.read().decode("utf-8", "replace").strip()
            raise ValueError(f"{base}{path}: HTTP {e.code} {detail}") from None
        except (urllib.error.URLError, OSError) as e:
            raise ValueError(f"{base}{path}: {getattr(e, 'reason', e)}") from None

    if wanted is None:
        wanted = [r["run_id"] for r in json.loads(get("/api/runs"))["runs"]]
    reports = []
    for run in wanted:
        # the whole id as one path segment: '/', spaces and non-ASCII percent-encoded
        lines = get(f"/api/runs/{urllib.parse.quote(run, safe='')}/export?format=jsonl").decode("utf-8")
        reports += [json.loads(line) for line in lines.splitlines() if line.strip()]
    return reports


def _from_kafka(bootstrap: str, wanted: list[str] | None, topic: str, timeout: float, config: dict) -> list[dict]:
    import time
    import uuid

    from confluent_kafka import Consumer, KafkaException, TopicPartition

    from headgeo.reports import ReportDecoder

    consumer = Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": f"headgeo-load-runs-{uuid.uuid4().hex[:8]}",
            "isolation.level": "read_committed",
            "enable.auto.commit": False,
            "auto.offset.reset": "earliest",
            **config,
        }
    )
    try:
        try:
            metadata = consumer.list_topics(topic, timeout=timeout)
        except KafkaException as e:
            raise ValueError(f"Kafka at {bootstrap}: {e.args[0].str() if e.args else e}") from None
        found = metadata.topics.get(topic)
        if found is None or found.error is not None or not found.partitions:
            raise ValueError(f"Kafka at {bootstrap} has no topic {topic}")
        # up to the end as it is now: the last stable offsets, read_committed
        ends = {}
        for p in found.partitions:
            low, high = consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=timeout)
            if high > low:
                ends[p] = high
        consumer.assign([TopicPartition(topic, p, 0) for p in ends])
        decoder = ReportDecoder()
        keep = None if wanted is None else set(wanted)
        reports = []
        done = set()
        deadline = time.monotonic() + timeout
        while len(done) < len(ends):
            if time.monotonic() > deadline:
                raise ValueError(f"Kafka at {bootstrap}: {topic} not read to its end within {timeout:g} s")
            message = consumer.poll(0.2)
            if message is None:
                # the end of a partition may be a transaction marker: compare positions, not the last record
                for tp in consumer.position([TopicPartition(topic, p) for p in ends if p not in done]):
                    if tp.offset >= ends[tp.partition]:
                        done.add(tp.partition)
                continue
            if message.error() is not None:
                continue
            if message.offset() + 1 >= ends[message.partition()]:
                done.add(message.partition())
            if message.value() is None:
                continue
            report = decoder.decode(message.value())
            if keep is None or report["run_id"] in keep:
                reports.append(report)
        return reports
    finally:
        consumer.close()
