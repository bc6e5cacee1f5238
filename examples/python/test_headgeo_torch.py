"""Tests of the torch side (python3 -m unittest discover -s examples/python); skipped without torch."""
import time
import unittest

import numpy as np

try:
    import torch
    from torch import nn

    import headgeo_torch
except ImportError:  # pragma: no cover - depends on the machine
    torch = None


def _dense_singular_values(w_q, w_k, num_heads):
    """The reference: full d_model x d_model metric per head, dense float64 SVD."""
    d_head = w_q.shape[0] // num_heads
    out = []
    for h in range(num_heads):
        rows = slice(h * d_head, (h + 1) * d_head)
        metric = w_q[rows].T @ w_k[rows]
        out.append(np.linalg.svd(metric, compute_uv=False)[:d_head])
    return out


if torch is not None:
    class OneAttention(nn.Module):
        def __init__(self, d=32, heads=4, **kw):
            super().__init__()
            self.attn = nn.MultiheadAttention(d, heads, batch_first=True, **kw)

        def forward(self, x):
            return self.attn(x, x, x)[0]

    class HfStyleAttention(nn.Module):
        """Hugging Face style: q_proj / k_proj / v_proj Linear children and a head count attribute."""

        def __init__(self, d=32, heads=4, causal=False):
            super().__init__()
            self.num_heads = heads
            self.is_causal = causal
            self.q_proj, self.k_proj, self.v_proj = nn.Linear(d, d), nn.Linear(d, d), nn.Linear(d, d)

        def probabilities(self, x):
            b, s, d = x.shape
            q = self.q_proj(x).reshape(b, s, self.num_heads, -1).transpose(1, 2)
            k = self.k_proj(x).reshape(b, s, self.num_heads, -1).transpose(1, 2)
            logits = q @ k.transpose(-1, -2) / (d // self.num_heads) ** 0.5
            if self.is_causal:
                logits = logits.masked_fill(torch.ones(s, s, dtype=torch.bool).triu(1), float("-inf"))
            return logits.softmax(-1)

        def forward(self, x):
            b, s, d = x.shape
            v = self.v_proj(x).reshape(b, s, self.num_heads, -1).transpose(1, 2)
            return (self.probabilities(x) @ v).transpose(1, 2).reshape(b, s, d)


def _direct_entropy(p):
    p = p.detach().double().numpy()
    return (-(p * np.log(p + 1e-12)).sum(-1)).mean(axis=(0, 2))


@unittest.skipIf(torch is None, "torch is not installed (apt-get install python3-torch)")
class TorchTest(unittest.TestCase):
    def setUp(self):
        torch.manual_seed(0)

    def assert_singular_values_match_dense(self, block, w_q, w_k):
        got = block.singular_values()
        want = _dense_singular_values(w_q, w_k, block.num_heads)
        for g, w in zip(got, want):
            np.testing.assert_allclose(g, w, rtol=1e-9, atol=1e-12 * max(w))

    def test_fused_and_separate_projections_match_a_dense_svd(self):
        fused = OneAttention()
        block = headgeo_torch.attention_blocks(fused)[0]
        w = fused.attn.in_proj_weight.detach().double().numpy()
        self.assert_singular_values_match_dense(block, w[:32], w[32:64])
        separate = OneAttention(kdim=24, vdim=24)
        block = headgeo_torch.attention_blocks(separate)[0]
        self.assertFalse(separate.attn._qkv_same_embed_dim)
        self.assert_singular_values_match_dense(block, separate.attn.q_proj_weight.detach().double().numpy(),
                                                separate.attn.k_proj_weight.detach().double().numpy())

    def test_hugging_face_style_blocks_are_found_and_measured(self):
        model = nn.Sequential(HfStyleAttention(), HfStyleAttention(causal=True))
        blocks = headgeo_torch.attention_blocks(model)
        self.assertEqual([b.name for b in blocks], ["0", "1"])
        self.assert_singular_values_match_dense(blocks[0], model[0].q_proj.weight.detach().double().numpy(),
                                                model[0].k_proj.weight.detach().double().numpy())
        x = torch.randn(3, 7, 32)
        _, entropies = headgeo_torch.measure(model, x)
        with torch.no_grad():
            np.testing.assert_allclose(entropies[0], _direct_entropy(model[0].probabilities(x)), rtol=1e-6)
            np.testing.assert_allclose(entropies[1], _direct_entropy(model[1].probabilities(model[0](x))), rtol=1e-6)

    def test_entropies_equal_a_direct_computation_from_the_attention_probabilities(self):
        model = OneAttention()
        x = torch.randn(5, 9, 32)
        _, entropies = headgeo_torch.measure(model, x)
        model.eval()
        with torch.no_grad():
            p = model.attn(x, x, x, need_weights=True, average_attn_weights=False)[1]
        np.testing.assert_allclose(entropies[0], _direct_entropy(p), rtol=1e-12)

    def test_the_probe_leaves_modes_parameters_and_random_state_alone(self):
        layer = nn.TransformerEncoderLayer(32, 4, batch_first=True, dropout=0.1)
        model = nn.TransformerEncoder(layer, 3)
        model.train()
        model.layers[1].eval()
        modes = [m.training for m in model.modules()]
        params = [p.detach().clone() for p in model.parameters()]
        probe = torch.randn(4, 6, 32)
        rng = torch.get_rng_state()
        singular_values, entropies = headgeo_torch.measure(model, probe)
        self.assertEqual(len(singular_values), 3)
        self.assertEqual(len(entropies[0]), 4)
        self.assertEqual([m.training for m in model.modules()], modes)
        self.assertTrue(all(torch.equal(a, b) for a, b in zip(params, model.parameters())))
        self.assertTrue(torch.equal(rng, torch.get_rng_state()))
        self.assertFalse(hasattr(model.layers[0].self_attn, "__dict__") and "forward" in model.layers[0].self_attn.__dict__)

    def test_a_model_without_attention_is_refused(self):
        with self.assertRaises(ValueError):
            headgeo_torch.attention_blocks(nn.Linear(3, 3))


try:
    import confluent_kafka  # noqa: F401
except ImportError:  # pragma: no cover
    confluent_kafka = None


@unittest.skipIf(torch is None or confluent_kafka is None, "needs torch and confluent_kafka")
class NonBlockingPublishTest(unittest.TestCase):
    def test_an_outage_does_not_block_and_the_callback_names_the_cause(self):
        from headgeo_producer import HeadgeoProducer, HeadgeoPublishError
        import socket
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()  # nothing listens there now
        producer = HeadgeoProducer(f"127.0.0.1:{port}", delivery_timeout=2.0)
        outcomes = []
        t0 = time.perf_counter()
        producer.publish_model("r", 1, OneAttention(), torch.randn(2, 5, 32), on_delivery=lambda *a: outcomes.append(a))
        self.assertLess(time.perf_counter() - t0, 1.0)
        deadline = time.time() + 10
        while not outcomes and time.time() < deadline:
            time.sleep(0.05)
        self.assertEqual(len(outcomes), 1)
        run, checkpoint, error = outcomes[0]
        self.assertEqual((run, checkpoint), ("r", 1))
        self.assertIn("refused", error.lower())
        with self.assertRaises(HeadgeoPublishError) as raised:
            producer.publish_checkpoint("r", 2, [[[1.0]]], [[1.0]], timeout=3.0)
        self.assertIn("refused", str(raised.exception).lower())
        producer.close(0)


if __name__ == "__main__":
    unittest.main()
