"""Reports read back into a training job: the schema copies, both wire forms, and the scalars a tracker gets."""

import io
import json
import os
import unittest

try:
    import fastavro
    from fastavro.schema import fingerprint, to_parsing_canonical_form
    from headgeo import reports
except ImportError:  # pragma: no cover - depends on the machine
    fastavro = None

PACKAGE_SCHEMAS = os.path.join(os.path.dirname(__file__), "..", "headgeo", "schemas")
REPO_SCHEMAS = os.path.join(os.path.dirname(__file__), "..", "..", "..", "schemas")

REPORT = {
    "run_id": "r",
    "checkpoint": 20,
    "status": "COMPLETE",
    "missing_layers": [],
    "num_layers": 2,
    "num_heads": 2,
    "max_rank": 4,
    "shape_invariance": {
        "mean": 0.99,
        "std": 0.01,
        "min": 0.98,
        "max": 1.0,
        "per_head": [0.99, 0.99],
        "stability": "VERY_STABLE",
    },
    "fits": [
        {
            "anchor": a,
            "anchor_layer": 1,
            "layers": [],
            "mean_residual": m,
            "max_residual": 2 * m,
            "frac_below_0_10": 1.0,
            "frac_below_0_20": 1.0,
            "corr_scale_entropy": None,
            "verdict": v,
        }
        for a, m, v in (("LAST", 0.05, "SUPPORTED"), ("MIDDLE", 0.2, "PARTIALLY_SUPPORTED"), ("BEST", 0.4, "REJECTED"))
    ],
    "corr_opnorm_entropy": None,
    "cross_head_similarity": [None, 0.9],
    "primary_anchor": "LAST",
    "verdict": "SUPPORTED",
    "first_layer_at": 1,
    "completed_at": 2,
    "analyzed_at": 3,
    "model": "m",
    "tags": {},
}


def single_object(report):
    """The report in Avro single-object encoding with today's schema, and its body alone."""
    with open(os.path.join(PACKAGE_SCHEMAS, "checkpoint_report.avsc")) as f:
        schema = fastavro.parse_schema(json.load(f))
    body = io.BytesIO()
    fastavro.schemaless_writer(body, schema, report)
    return b"\xc3\x01" + bytes.fromhex(
        fingerprint(to_parsing_canonical_form(schema), "CRC-64-AVRO")
    ) + body.getvalue(), body


@unittest.skipIf(fastavro is None, "fastavro is not installed (tools/python-venv.sh)")
class ReportsTest(unittest.TestCase):
    def test_the_packaged_schemas_are_the_repositorys(self):
        pairs = (
            ("checkpoint_report.avsc", "checkpoint_report.avsc"),
            ("checkpoint_report-v1.avsc", "history/checkpoint_report-v1.avsc"),
            ("checkpoint_report-v2.avsc", "history/checkpoint_report-v2.avsc"),
        )
        for packaged, original in pairs:
            with (
                open(os.path.join(PACKAGE_SCHEMAS, packaged), "rb") as a,
                open(os.path.join(REPO_SCHEMAS, original), "rb") as b,
            ):
                self.assertEqual(a.read(), b.read(), packaged)

    def test_avro_single_object_and_json_reports_decode_alike(self):
        framed, body = single_object(REPORT)
        decoder = reports.ReportDecoder()
        self.assertEqual(decoder.decode(framed)["fits"][2]["verdict"], "REJECTED")
        self.assertEqual(decoder.decode(json.dumps(REPORT).encode()), REPORT)
        with self.assertRaisesRegex(ValueError, "upgrade the headgeo client"):
            decoder.decode(b"\xc3\x01" + bytes(8) + body.getvalue())

    def test_a_decoder_of_some_fields_reads_only_those_from_either_form(self):
        framed, _body = single_object(REPORT)
        # verdict's enum is defined inside fits, which is left out
        decoder = reports.ReportDecoder(fields=("run_id", "checkpoint", "completed_at", "verdict"))
        avro = decoder.decode(framed)
        self.assertEqual(sorted(avro), ["checkpoint", "completed_at", "run_id", "verdict"])
        self.assertEqual((avro["run_id"], avro["checkpoint"], avro["verdict"]), ("r", 20, "SUPPORTED"))
        self.assertEqual(int(avro["completed_at"].timestamp() * 1000), 2)
        self.assertEqual(
            decoder.decode(json.dumps(REPORT).encode()),
            {"run_id": "r", "checkpoint": 20, "completed_at": 2, "verdict": "SUPPORTED"},
        )

    def test_scalars_per_anchor_with_verdicts_as_numbers_and_nulls_left_out(self):
        scalars = reports.report_scalars(REPORT)
        self.assertEqual(scalars["headgeo/mean_residual/last"], 0.05)
        self.assertEqual(scalars["headgeo/max_residual/best"], 0.8)
        self.assertEqual([scalars[f"headgeo/verdict/{a}"] for a in ("last", "middle", "best")], [0.0, 1.0, 2.0])
        self.assertEqual(scalars["headgeo/shape_invariance"], 0.99)
        self.assertNotIn("headgeo/corr_opnorm_entropy", scalars)
        self.assertEqual(
            reports.report_scalars({**REPORT, "status": "INCOMPLETE", "fits": []}), {"headgeo/incomplete": 1.0}
        )


if __name__ == "__main__":
    unittest.main()
