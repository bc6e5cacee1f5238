"""Unit tests of the producer's helpers (no Kafka needed): python3 -m unittest discover -s examples/python"""
import json
import math
import os
import unittest

import numpy as np

from headgeo.geometry import head_singular_values, mean_attention_entropy
from headgeo.records import layer_records


class HeadSingularValuesTest(unittest.TestCase):
    def test_equal_to_the_svd_of_the_full_metric(self):
        rng = np.random.RandomState(0)
        d_model, heads = 48, 4
        wq = rng.standard_normal((d_model, d_model))
        wk = rng.standard_normal((d_model, d_model))
        got = head_singular_values(wq.tolist(), wk, heads)
        d_head = d_model // heads
        for h in range(heads):
            q = wq[h * d_head:(h + 1) * d_head].T
            k = wk[h * d_head:(h + 1) * d_head].T
            full = np.linalg.svd(q @ k.T, compute_uv=False)[:d_head]
            np.testing.assert_allclose(got[h], full, rtol=1e-9, atol=1e-9)
        self.assertEqual(len(got), heads)

    def test_rejects_shapes_that_do_not_split_into_heads(self):
        with self.assertRaises(ValueError):
            head_singular_values(np.zeros((10, 10)), np.zeros((10, 10)), 3)


class EntropyTest(unittest.TestCase):
    def test_uniform_attention_has_log_n_entropy(self):
        probs = np.full((2, 3, 5, 8), 1 / 8)
        for e in mean_attention_entropy(probs):
            self.assertAlmostEqual(e, math.log(8), places=9)


class LayerRecordsTest(unittest.TestCase):
    def test_one_record_per_layer_with_the_design_fields(self):
        sv = np.ones((3, 2, 4))
        ent = [[1.0, 2.0]] * 3
        records = layer_records("run", 5, sv, ent, model="m")
        self.assertEqual([r["layer"] for r in records], [0, 1, 2])
        self.assertEqual(set(records[0]), {"run_id", "checkpoint", "layer", "num_layers", "num_heads",
                                           "metric_singvals_per_head", "mean_attention_entropy_per_head",
                                           "model", "emitted_at"})
        self.assertEqual(records[0]["num_heads"], 2)

    def test_attention_health_fields_are_written_only_when_measured(self):
        sv = np.ones((2, 2, 4))
        records = layer_records("run", 5, sv, [[1.0, 2.0]] * 2, max_logits=[[30.5, 2.0], None], probe_tokens=128, qk_norm=[True, False])
        self.assertEqual(records[0]["max_attention_logit_per_head"], [30.5, 2.0])
        self.assertNotIn("max_attention_logit_per_head", records[1])
        self.assertEqual([r["probe_tokens"] for r in records], [128, 128])
        self.assertEqual([r.get("qk_norm") for r in records], [True, None])
        self.assertEqual(set(layer_records("run", 5, sv, [[1.0, 2.0]] * 2)[0]) & {"max_attention_logit_per_head", "probe_tokens", "qk_norm"},
                         set(), "records without them stay v1")
        for bad in ({"max_logits": [[1.0], None]}, {"max_logits": [[float("inf"), 1.0], None]}, {"probe_tokens": 0},
                    {"max_logits": [[1.0, 2.0]]}):
            with self.subTest(bad=bad), self.assertRaises(ValueError):
                layer_records("run", 5, sv, [[1.0, 2.0]] * 2, **bad)

    def test_ragged_heads_are_kept(self):
        records = layer_records("run", 0, [[[3.0, 1.0], [2.0]]], [[0.5, 0.6]])
        self.assertEqual(records[0]["metric_singvals_per_head"], [[3.0, 1.0], [2.0]])

    def test_bad_values_are_refused_before_publishing(self):
        for sv, ent in [([[[-1.0]]], [[1.0]]), ([[[float("nan")]]], [[1.0]]), ([[[]]], [[1.0]]),
                        ([[[1.0]]], [[float("inf")]]), ([[[1.0]], [[1.0], [2.0]]], [[1.0], [1.0]]), ([[[1.0]]], [[-0.5]])]:
            with self.assertRaises(ValueError):
                layer_records("run", 0, sv, ent)

    def test_tags_ride_on_every_record_and_none_means_no_field(self):
        sv, ent = np.ones((2, 1, 3)), [[1.0]] * 2
        tagged = layer_records("run", 5, sv, ent, tags={"owner": "ana", "lr": "3e-4"})
        self.assertEqual([r["tags"] for r in tagged], [{"owner": "ana", "lr": "3e-4"}] * 2)
        # without tags the record is a version-1 record, which an earlier processor accepts
        self.assertNotIn("tags", layer_records("run", 5, sv, ent)[0])
        self.assertNotIn("tags", layer_records("run", 5, sv, ent, tags={})[0])

    def test_tags_that_break_the_rules_are_refused_with_the_rule(self):
        sv, ent = np.ones((1, 1, 3)), [[1.0]]
        cases = [({str(i): "x" for i in range(33)}, "33 tags, the limit is 32"),
                 ({"": "x"}, "must be 1 to 64"),
                 ({"k" * 65: "x"}, "must be 1 to 64"),
                 ({"k": "v" * 257}, "the limit is 256"),
                 ({"k": "a\nb"}, "control characters"),
                 ({"k": 3}, "must be strings")]
        for tags, message in cases:
            with self.assertRaisesRegex(ValueError, message):
                layer_records("run", 0, sv, ent, tags=tags)
        self.assertEqual(len(layer_records("run", 0, sv, ent, tags={"k" * 64: "v" * 256})), 1)


if __name__ == "__main__":
    unittest.main()


try:
    import confluent_kafka  # noqa: F401
except ImportError:  # pragma: no cover - depends on the machine
    confluent_kafka = None


@unittest.skipIf(confluent_kafka is None, "confluent-kafka is not installed")
class CloseWithKafkaDownTest(unittest.TestCase):
    def test_close_fails_what_is_left_so_on_delivery_hears_it_and_says_it_in_one_line(self):
        from headgeo.producer import HeadgeoProducer
        from test_examples import dead_address

        heard = []
        producer = HeadgeoProducer(dead_address())
        for checkpoint in (10, 20):
            producer.publish_checkpoint("short-job", checkpoint, [[[2.0, 1.0]]], [[0.5]], block=False,
                                        on_delivery=lambda run, cp, err: heard.append((run, cp, err)))
        with self.assertLogs("headgeo", level="WARNING") as logs:
            left = producer.close(0.5)
        self.assertEqual(left, 2)
        self.assertEqual(sorted(cp for _, cp, _ in heard), [10, 20])
        self.assertTrue(all(err and "close() came before Kafka at" in err for _, _, err in heard), heard)
        self.assertEqual(len(logs.output), 1, logs.output)
        self.assertIn("2 records of 2 checkpoint(s) not delivered to Kafka at", logs.output[0])
        self.assertIn("short-job@10, short-job@20", logs.output[0])


class SpoolTest(unittest.TestCase):
    def test_a_checkpoint_is_kept_whole_and_only_what_is_left_stays(self):
        import tempfile

        from headgeo.spool import Spool

        with tempfile.TemporaryDirectory() as d:
            spool = Spool(d)
            records = layer_records("run/1 ä", 300, [[[1.0, 0.5]], [[2.0, 1.0]]], [[0.1], [0.2]])
            values = [json.dumps(r).encode() for r in records]
            path = spool.keep("run/1 ä", 300, values[:1])
            spool.keep("run/1 ä", 300, values)  # kept again after a second failure: no record twice
            self.assertEqual(spool.read(path), ("run/1 ä", 300, values))
            self.assertEqual(spool.waiting(), [path])
            self.assertNotIn("/1", os.path.basename(path))
            spool.replace(path, values[1:])
            self.assertEqual(spool.read(path)[2], values[1:])
            spool.replace(path, [])
            self.assertEqual(spool.waiting(), [])
            self.assertEqual(os.listdir(d), [])
