"""The model side: every layout's singular values against a dense computation, entropies against
probabilities the test computes itself. python3 -m unittest discover -s clients/python/tests -t clients/python"""

import time
import unittest
from typing import ClassVar

import numpy as np

try:
    import headgeo
    import hf_like
    import torch
    from headgeo import layouts
    from torch import nn
except ImportError:  # pragma: no cover - depends on the machine
    torch = None


def dense_singular_values(q_heads, k_heads, key_of):
    """The reference: the full in x in metric (W_Q^h)^T W_K^g per head, dense float64 SVD, head_dim largest."""
    out = []
    for h, q in enumerate(q_heads):
        metric = q.numpy().T @ k_heads[key_of[h]].numpy()
        out.append(np.linalg.svd(metric, compute_uv=False)[: q.shape[0]])
    return out


def entropy(p):
    p = p.detach().double().numpy()
    return (-(p * np.log(p + 1e-12)).sum(-1)).mean(axis=(0, 2))


@unittest.skipIf(torch is None, "torch is not installed (apt-get install python3-torch)")
class LayoutTest(unittest.TestCase):
    def setUp(self):
        torch.manual_seed(0)
        torch.set_default_dtype(torch.float64)

    def tearDown(self):
        torch.set_default_dtype(torch.float32)

    LAYOUTS: ClassVar[dict] = {
        "c_attn": lambda: hf_like.GPT2Attention(),
        "query_key_value (GPT-NeoX)": lambda: hf_like.GPTNeoXAttention(),
        "query_key_value (BLOOM)": lambda: hf_like.BloomAttention(),
        "q_proj/k_proj grouped-query": lambda: hf_like.LlamaAttention(heads=4, kv_heads=2),
        "q_proj/k_proj multi-query": lambda: hf_like.LlamaAttention(heads=4, kv_heads=1, model_type="mistral"),
        "q_proj/k_proj head_dim != hidden/heads (Gemma)": lambda: hf_like.LlamaAttention(
            heads=4, kv_heads=2, head_dim=12, model_type="gemma"
        ),
        "qkv_proj (Phi-3)": lambda: hf_like.Phi3Attention(heads=4, kv_heads=2),
        "q/k (T5)": lambda: hf_like.T5Attention(),
    }

    def test_every_layouts_singular_values_equal_a_dense_svd_of_its_heads(self):
        for layout, make in self.LAYOUTS.items():
            with self.subTest(layout):
                block = make()
                got = headgeo.singular_values(hf_like.Stack(block))
                q_heads, k_heads, key_of = block.query_key_heads()
                want = dense_singular_values(q_heads, k_heads, key_of)
                self.assertEqual(len(got), 1)
                self.assertEqual(len(got[0]), len(want))
                for g, w in zip(got[0], want):
                    np.testing.assert_allclose(g, w, rtol=1e-10, atol=1e-13 * w[0])

    def test_grouped_query_heads_pair_with_their_key_head(self):
        block = layouts.attention_blocks(hf_like.Stack(hf_like.LlamaAttention(heads=8, kv_heads=2)))[0]
        self.assertEqual((block.num_heads, block.num_kv_heads), (8, 2))
        self.assertEqual([block.key_head(h) for h in range(8)], [0, 0, 0, 0, 1, 1, 1, 1])

    def test_the_fused_layouts_and_position_terms_are_named(self):
        got = {
            layout: (b.layout, b.position_terms)
            for layout, make in self.LAYOUTS.items()
            for b in layouts.attention_blocks(hf_like.Stack(make()))
        }
        self.assertEqual(got["c_attn"], ("c_attn", None))
        self.assertEqual(got["query_key_value (GPT-NeoX)"], ("query_key_value", "rotary position embeddings"))
        self.assertEqual(got["query_key_value (BLOOM)"], ("query_key_value", "ALiBi"))
        self.assertEqual(got["q_proj/k_proj grouped-query"], ("q_proj/k_proj", "rotary position embeddings"))
        self.assertEqual(got["qkv_proj (Phi-3)"], ("qkv_proj", "rotary position embeddings"))
        self.assertEqual(got["q/k (T5)"], ("q/k", "T5's relative position bias"))

    def test_what_cannot_be_read_is_one_line_naming_the_module(self):
        class FalconAttention(nn.Module):
            def __init__(self):
                super().__init__()
                self.num_heads = 4
                self.query_key_value = nn.Linear(32, 96)

        with self.assertRaisesRegex(ValueError, r"^layers\.0: Falcon's fused query_key_value"):
            layouts.attention_blocks(hf_like.Stack(FalconAttention()))

        class NoHeads(nn.Module):
            def __init__(self):
                super().__init__()
                self.q_proj, self.k_proj = nn.Linear(8, 8), nn.Linear(8, 8)

        with self.assertRaisesRegex(ValueError, r"^layers\.0: q_proj/k_proj found but no head count \(num_heads"):
            layouts.attention_blocks(hf_like.Stack(NoHeads()))
        with self.assertRaisesRegex(ValueError, "no attention blocks found in Linear"):
            layouts.attention_blocks(nn.Linear(3, 3))

    def test_nn_multihead_attention_fused_and_separate(self):
        class One(nn.Module):
            def __init__(self, **kw):
                super().__init__()
                self.attn = nn.MultiheadAttention(32, 4, batch_first=True, **kw)

            def forward(self, x):
                kv = x if self.attn._qkv_same_embed_dim else x[..., :24]
                return self.attn(x, kv, kv)[0]

        for model in (One(), One(kdim=24, vdim=24)):
            a = model.attn
            if a._qkv_same_embed_dim:
                wq, wk = a.in_proj_weight.detach()[:32], a.in_proj_weight.detach()[32:64]
            else:
                wq, wk = a.q_proj_weight.detach(), a.k_proj_weight.detach()
            want = dense_singular_values(
                [wq[h * 8 : (h + 1) * 8] for h in range(4)], [wk[h * 8 : (h + 1) * 8] for h in range(4)], range(4)
            )
            for g, w in zip(headgeo.singular_values(model)[0], want):
                np.testing.assert_allclose(g, w, rtol=1e-10, atol=1e-13 * w[0])
            x = torch.randn(3, 7, 32)
            _, entropies = headgeo.measure(model, x)
            model.eval()
            kv = x if a._qkv_same_embed_dim else x[..., :24]
            with torch.no_grad():
                p = a(x, kv, kv, need_weights=True, average_attn_weights=False)[1]
            np.testing.assert_allclose(entropies[0], entropy(p), rtol=1e-12)


@unittest.skipIf(torch is None, "torch is not installed (apt-get install python3-torch)")
class EntropyTest(unittest.TestCase):
    def setUp(self):
        torch.manual_seed(1)
        torch.set_default_dtype(torch.float64)

    def tearDown(self):
        torch.set_default_dtype(torch.float32)

    def assert_entropies_are_the_models_own(self, model, x):
        _, entropies = headgeo.measure(model, x)
        with torch.no_grad():
            want = [entropy(p) for p in model.probabilities()(x)]
        self.assertEqual(len(entropies), len(want))
        for g, w in zip(entropies, want):
            np.testing.assert_allclose(g, w, rtol=1e-12)

    def test_with_position_terms_the_models_own_probabilities_are_used(self):
        model = hf_like.Stack(
            hf_like.GPTNeoXAttention(),
            hf_like.BloomAttention(),
            hf_like.LlamaAttention(heads=4, kv_heads=2),
            hf_like.Phi3Attention(),
            hf_like.T5Attention(),
            hf_like.GPT2Attention(),
        )
        self.assert_entropies_are_the_models_own(model, torch.randn(3, 9, 32))

    def test_without_output_attentions_gpt2_is_recomputed_exactly(self):
        model = hf_like.PlainStack(
            hf_like.GPT2AttentionWithoutOutputAttentions(), hf_like.GPT2AttentionWithoutOutputAttentions()
        )
        x = torch.randn(2, 6, 32)
        _, entropies = headgeo.measure(model, x)
        with torch.no_grad():
            first = model.layers[0]
            want = [entropy(first.probabilities(x)), entropy(model.layers[1].probabilities(x + first(x)))]
        for g, w in zip(entropies, want):
            np.testing.assert_allclose(g, w, rtol=1e-12)

    def test_a_forward_function_that_passes_output_attentions_on_gets_the_models_own(self):
        model = hf_like.Stack(hf_like.T5Attention(), hf_like.LlamaAttention())
        x = torch.randn(2, 5, 32)
        _, entropies = headgeo.measure(model, x, forward=lambda batch, **kw: model(batch * 1.0, **kw))
        with torch.no_grad():
            want = [entropy(p) for p in model.probabilities()(x)]
        for g, w in zip(entropies, want):
            np.testing.assert_allclose(g, w, rtol=1e-12)

    def test_rotary_without_output_attentions_is_an_error_not_a_wrong_entropy(self):
        model = hf_like.Stack(hf_like.LlamaAttention())
        with self.assertRaisesRegex(
            ValueError, r"^layers\.0: rotary position embeddings change the attention probabilities"
        ):
            headgeo.measure(model, torch.randn(2, 5, 32), forward=lambda x: model(x))

    def test_the_probe_leaves_modes_parameters_and_random_state_alone(self):
        torch.set_default_dtype(torch.float32)
        layer = nn.TransformerEncoderLayer(32, 4, batch_first=True, dropout=0.1)
        model = nn.TransformerEncoder(layer, 3)
        model.train()
        model.layers[1].eval()
        modes = [m.training for m in model.modules()]
        params = [p.detach().clone() for p in model.parameters()]
        probe = torch.randn(4, 6, 32)
        rng = torch.get_rng_state()
        singular_values, entropies = headgeo.measure(model, probe)
        self.assertEqual((len(singular_values), len(entropies[0])), (3, 4))
        self.assertEqual([m.training for m in model.modules()], modes)
        self.assertTrue(all(torch.equal(a, b) for a, b in zip(params, model.parameters())))
        self.assertTrue(torch.equal(rng, torch.get_rng_state()))
        self.assertNotIn("forward", model.layers[0].self_attn.__dict__)


try:
    import confluent_kafka
except ImportError:  # pragma: no cover
    confluent_kafka = None


@unittest.skipIf(torch is None or confluent_kafka is None, "needs torch and confluent_kafka")
class NonBlockingPublishTest(unittest.TestCase):
    def test_an_outage_does_not_block_and_the_callback_names_the_cause(self):
        import socket

        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()  # nothing listens there now
        producer = headgeo.HeadgeoProducer(f"127.0.0.1:{port}", delivery_timeout=2.0)
        outcomes = []
        t0 = time.perf_counter()
        model = nn.Sequential(nn.TransformerEncoderLayer(32, 4, batch_first=True))
        producer.publish_model("r", 1, model, torch.randn(2, 5, 32), on_delivery=lambda *a: outcomes.append(a))
        self.assertLess(time.perf_counter() - t0, 1.0)
        deadline = time.time() + 10
        while not outcomes and time.time() < deadline:
            time.sleep(0.05)
        self.assertEqual(len(outcomes), 1)
        run, checkpoint, error = outcomes[0]
        self.assertEqual((run, checkpoint), ("r", 1))
        self.assertIn("refused", error.lower())
        with self.assertRaises(headgeo.HeadgeoPublishError) as raised:
            producer.publish_checkpoint("r", 2, [[[1.0]]], [[1.0]], timeout=3.0)
        self.assertIn("refused", str(raised.exception).lower())
        producer.close(0)

    def test_a_blocking_publish_to_a_dead_cluster_gives_up_after_seconds_with_one_line(self):
        import socket

        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
        producer = headgeo.HeadgeoProducer(f"127.0.0.1:{port}")
        t0 = time.monotonic()
        with self.assertRaises(headgeo.HeadgeoPublishError) as raised:
            producer.publish_checkpoint("r", 1, [[[1.0]]], [[1.0]], timeout=60.0)
        took = time.monotonic() - t0
        message = str(raised.exception)
        self.assertIn(f"Kafka at 127.0.0.1:{port} unreachable", message)
        self.assertIn("refused", message.lower())
        self.assertNotIn("\n", message)
        # gave up on the outage, not on the 60 s time-out (a wide margin for a loaded machine)
        self.assertLess(took, 30.0)
        self.assertGreaterEqual(took, headgeo.HeadgeoProducer.UNREACHABLE_AFTER - 0.5)
        producer.close(0)


if __name__ == "__main__":
    unittest.main()
