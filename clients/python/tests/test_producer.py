"""Unit tests of the producer's helpers (no Kafka needed): python3 -m unittest discover -s examples/python"""
import math
import unittest

import numpy as np

from headgeo.producer import head_singular_values, layer_records, mean_attention_entropy


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

    def test_ragged_heads_are_kept(self):
        records = layer_records("run", 0, [[[3.0, 1.0], [2.0]]], [[0.5, 0.6]])
        self.assertEqual(records[0]["metric_singvals_per_head"], [[3.0, 1.0], [2.0]])

    def test_bad_values_are_refused_before_publishing(self):
        for sv, ent in [([[[-1.0]]], [[1.0]]), ([[[float("nan")]]], [[1.0]]), ([[[]]], [[1.0]]),
                        ([[[1.0]]], [[float("inf")]]), ([[[1.0]], [[1.0], [2.0]]], [[1.0], [1.0]])]:
            with self.assertRaises(ValueError):
                layer_records("run", 0, sv, ent)


if __name__ == "__main__":
    unittest.main()
