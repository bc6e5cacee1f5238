"""value_format="avro": records in the oldest schema version holding their fields, the same content as JSON, and kept
in the spool as JSON when Kafka is away."""

import io
import json
import os
import tempfile
import unittest

from headgeo.records import layer_records

try:
    import fastavro
    from headgeo.avro_layers import AvroLayers
    from headgeo.producer import encode_records
except ImportError:  # pragma: no cover - depends on the machine
    fastavro = None

REPO_SCHEMAS = os.path.join(os.path.dirname(__file__), "..", "..", "..", "schemas")


def records(**fields):
    return layer_records(
        "run/1 ä",
        40,
        [[[3.0, 1.5, 0.25]] * 2] * 3,
        [[0.7, 0.2]] * 3,
        model="m",
        emitted_at_ms=1_700_000_000_123,
        **fields,
    )


@unittest.skipIf(fastavro is None, "fastavro is not installed (tools/python-venv.sh)")
class AvroLayersTest(unittest.TestCase):
    def test_each_record_is_written_in_the_oldest_version_that_holds_its_fields(self):
        cases = (
            (1, "history/layer_geometry-v1.avsc", {}),
            (2, "history/layer_geometry-v2.avsc", {"tags": {"lr": "3e-4"}}),
            (
                3,
                "layer_geometry.avsc",
                {"max_logits": [[9.0, 2.0]] * 3, "probe_tokens": 64, "qk_norm": [True, False, False]},
            ),
        )
        for version, path, fields in cases:
            with open(os.path.join(REPO_SCHEMAS, path)) as f:
                schema = fastavro.parse_schema(json.load(f))
            header = b"\xc3\x01" + bytes.fromhex(
                fastavro.schema.fingerprint(fastavro.schema.to_parsing_canonical_form(schema), "CRC-64-AVRO")
            )
            given = records(**fields)
            for record, value in zip(given, encode_records(given, "avro")):
                self.assertEqual(value[:10], header, f"version {version}")
                read = fastavro.schemaless_reader(io.BytesIO(value[10:]), schema, schema)
                self.assertEqual(read["metric_singvals_per_head"], record["metric_singvals_per_head"])
                self.assertEqual(read.get("tags"), record.get("tags"))
                self.assertEqual(read.get("max_attention_logit_per_head"), record.get("max_attention_logit_per_head"))

    def test_an_avro_value_turns_back_into_the_json_record(self):
        for fields in ({}, {"tags": {"owner": "ana"}}, {"max_logits": [[9.0, 2.0]] * 3, "probe_tokens": 64}):
            given = records(**fields)
            self.assertEqual([AvroLayers().to_json(v) for v in encode_records(given, "avro")], encode_records(given))
        with self.assertRaisesRegex(ValueError, "not a layer record this client wrote"):
            AvroLayers().to_json(b"\xc3\x01" + bytes(8) + b"\x00")

    def test_with_kafka_away_avro_records_are_kept_in_the_spool_as_json(self):
        from headgeo.producer import HeadgeoProducer
        from headgeo.spool import Spool
        from test_examples import dead_address

        with tempfile.TemporaryDirectory() as directory:
            spool = os.path.join(directory, "spool")
            producer = HeadgeoProducer(dead_address(), spool_dir=spool, value_format="avro", model="m")
            producer.publish_checkpoint("run/1 ä", 40, [[[3.0, 1.5, 0.25]] * 2] * 3, [[0.7, 0.2]] * 3, block=False)
            producer.close(timeout=1, say=False)
            kept = Spool(spool).waiting()
            self.assertEqual(len(kept), 1)
            run, checkpoint, values = Spool(spool).check(kept[0])
            self.assertEqual((run, checkpoint, len(values)), ("run/1 ä", 40, 3))
            self.assertEqual(json.loads(values[0])["metric_singvals_per_head"], [[3.0, 1.5, 0.25]] * 2)

    def test_an_unknown_value_format_is_refused_when_the_producer_is_made(self):
        from headgeo.producer import HeadgeoProducer

        with self.assertRaisesRegex(ValueError, "value_format must be one of json, avro, got 'protobuf'"):
            HeadgeoProducer("127.0.0.1:1", value_format="protobuf")


if __name__ == "__main__":
    unittest.main()
