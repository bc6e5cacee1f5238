#!/usr/bin/env python3
"""Writes records with headgeo's earlier schemas (schemas/history/) using Python's avro library, not
headgeo's own code, in Avro single-object encoding (C3 01, the writer schema's CRC-64-AVRO
fingerprint, the binary record), to src/test/resources/schema-bytes/*.bin. SchemaCompatibilityTest
decodes them with today's generated classes. Debian's python3-avro (1.11).

    /usr/bin/python3 tools/write_old_bytes.py
"""

import datetime
import io
import json
import struct
import sys

import avro.io
import avro.schema

OUT = "src/test/resources/schema-bytes/"
EMPTY = 0xC15D213AA4D7A795
TABLE = []
for i in range(256):
    fp = i
    for _ in range(8):
        fp = (fp >> 1) ^ (EMPTY if fp & 1 else 0)
    TABLE.append(fp)


def crc64_avro(data):
    fp = EMPTY
    for b in data:
        fp = (fp >> 8) ^ TABLE[(fp ^ b) & 0xFF]
    return fp


def shared_names():
    """The named types the history files refer to (Anchor, Verdict, ReportStatus), from today's report schema."""
    names = avro.schema.Names()
    report = json.load(open("schemas/checkpoint_report.avsc"))
    wanted = {"Anchor", "Verdict", "ReportStatus"}

    def walk(t):
        if isinstance(t, dict):
            if t.get("type") == "enum" and t.get("name") in wanted:
                avro.schema.make_avsc_object(dict(t, namespace="dev.headgeo.avro"), names)
                wanted.discard(t["name"])
            for v in t.values():
                walk(v)
        elif isinstance(t, list):
            for v in t:
                walk(v)

    walk(report)
    return names


def without_logical_types(t):
    """The schema JSON with logical types reduced to their primitive type, as Parsing Canonical Form has them."""
    if isinstance(t, dict):
        if "logicalType" in t and t.get("type") in ("int", "long", "bytes", "string", "fixed") and t["type"] != "fixed":
            return t["type"]
        return {k: without_logical_types(v) for k, v in t.items()}
    if isinstance(t, list):
        return [without_logical_types(v) for v in t]
    return t


def names_for(history_file):
    """Alert and run history v1 refer to the report's enums; the other history files define what they use."""
    return shared_names() if history_file.startswith(("alert", "run_history")) else avro.schema.Names()


def write(history_file, record, out_name):
    text = json.load(open("schemas/history/" + history_file))
    schema = avro.schema.make_avsc_object(text, names_for(history_file))
    body = io.BytesIO()
    avro.io.DatumWriter(schema).write(record, avro.io.BinaryEncoder(body))
    # avro 1.11.1's canonical_form keeps {"type":"long"} for a timestamp-millis field where the specification
    # (and Java's SchemaNormalization) has "long", which changes the fingerprint: computed without logical types
    canonical = avro.schema.make_avsc_object(without_logical_types(text), names_for(history_file)).canonical_form
    header = b"\xc3\x01" + struct.pack("<Q", crc64_avro(canonical.encode("utf-8")))
    with open(OUT + out_name, "wb") as f:
        f.write(header + body.getvalue())
    print(out_name, len(header) + len(body.getvalue()), "bytes", file=sys.stderr)


def at(millis):
    """timestamp-millis values are datetimes in Python's avro."""
    return datetime.datetime.fromtimestamp(millis / 1000, tz=datetime.timezone.utc)


def main():
    write(
        "alert-v1.avsc",
        {
            "type": "VERDICT_FLIP",
            "run_id": "gpt2-small-42",
            "checkpoint": 3000,
            "message": "run gpt2-small-42: verdict (LAST anchor) flipped from SUPPORTED at checkpoint 2000 "
            "to REJECTED at checkpoint 3000",
            "anchor": "LAST",
            "earlier_checkpoint": 2000,
            "earlier_verdict": "SUPPORTED",
            "earlier_mean_residual": 0.0625,
            "later_checkpoint": 3000,
            "later_verdict": "REJECTED",
            "later_mean_residual": 0.4375,
            "num_layers": None,
            "missing_layers": [],
            "raised_at": at(1764633600123),
        },
        "alert-v1-flip.bin",
    )
    write(
        "alert-v1.avsc",
        {
            "type": "INCOMPLETE_CHECKPOINT",
            "run_id": "r",
            "checkpoint": 7,
            "message": "incomplete",
            "anchor": None,
            "earlier_checkpoint": None,
            "earlier_verdict": None,
            "earlier_mean_residual": None,
            "later_checkpoint": None,
            "later_verdict": None,
            "later_mean_residual": None,
            "num_layers": 12,
            "missing_layers": [3, 11],
            "raised_at": at(1764633600999),
        },
        "alert-v1-incomplete.bin",
    )
    write(
        "run_history-v1.avsc",
        {
            "entries": [
                {"checkpoint": 100, "status": "COMPLETE", "verdict": "SUPPORTED", "mean_residual": 0.05},
                {"checkpoint": 200, "status": "INCOMPLETE", "verdict": None, "mean_residual": None},
            ],
            "forgotten_below": 42,
            "last_closed_at": 1764633600000,
        },
        "run_history-v1.bin",
    )
    write(
        "alert-v2.avsc",
        {
            "type": "VERDICT_FLIP",
            "run_id": "gpt2-small-42",
            "checkpoint": 3000,
            "message": "run gpt2-small-42: verdict (LAST anchor) flipped from REJECTED at checkpoint 2000 "
            "to SUPPORTED at checkpoint 3000",
            "anchor": "LAST",
            "earlier_checkpoint": 2000,
            "earlier_verdict": "REJECTED",
            "earlier_mean_residual": 0.4375,
            "later_checkpoint": 3000,
            "later_verdict": "SUPPORTED",
            "later_mean_residual": 0.0625,
            "num_layers": None,
            "missing_layers": [],
            "earlier_verdicts": [{"anchor": "LAST", "verdict": "REJECTED", "mean_residual": 0.4375}],
            "later_verdicts": [{"anchor": "LAST", "verdict": "SUPPORTED", "mean_residual": 0.0625}],
            "boundary": None,
            "forecast_checkpoint": None,
            "current_mean_residual": None,
            "trend_per_checkpoint": None,
            "raised_at": at(1764633600321),
        },
        "alert-v2-recovery.bin",
    )
    fit = {
        "anchor_layer": 1,
        "mean_residual": 0.125,
        "max_residual": 0.25,
        "frac_below_0_10": 0.5,
        "frac_below_0_20": 0.75,
        "corr_scale_entropy": None,
        "verdict": "PARTIALLY_SUPPORTED",
        "layers": [
            {"layer": 0, "mean_residual": 0.25, "max_residual": 0.25, "mean_scale": 1.5},
            {"layer": 1, "mean_residual": 0.0, "max_residual": 0.0, "mean_scale": 1.0},
        ],
    }
    write(
        "checkpoint_report-v1.avsc",
        {
            "run_id": "gpt2-small-42",
            "checkpoint": 3000,
            "status": "COMPLETE",
            "missing_layers": [],
            "num_layers": 2,
            "num_heads": 1,
            "max_rank": 4,
            "shape_invariance": {
                "mean": 0.96875,
                "std": 0.0,
                "min": 0.96875,
                "max": 0.96875,
                "per_head": [0.96875],
                "stability": "APPROXIMATELY_STABLE",
            },
            "fits": [dict(fit, anchor="LAST"), dict(fit, anchor="MIDDLE"), dict(fit, anchor="BEST")],
            "corr_opnorm_entropy": -0.5,
            "cross_head_similarity": [None, None],
            "primary_anchor": "LAST",
            "verdict": "PARTIALLY_SUPPORTED",
            "first_layer_at": at(1764633600000),
            "completed_at": at(1764633601000),
            "analyzed_at": at(1764633601500),
        },
        "checkpoint_report-v1.bin",
    )
    write(
        "layer_geometry-v1.avsc",
        {
            "run_id": "gpt2-small-42",
            "checkpoint": 3000,
            "layer": 1,
            "num_layers": 2,
            "num_heads": 2,
            "metric_singvals_per_head": [[3.0, 1.0], [2.0]],
            "mean_attention_entropy_per_head": [0.5, 0.25],
            "model": "gpt2",
            "emitted_at": at(1764633600000),
        },
        "layer_geometry-v1.bin",
    )


if __name__ == "__main__":
    main()
