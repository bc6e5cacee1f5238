"""The layouts on the real Hugging Face classes (transformers 5), built from tiny configs with random weights.

Singular values against an independent dense reading of each block's weights (the full in x in
metric, QK-norm gains applied as the model applies them), entropies against the probabilities the
model itself returns with eager attention. Needs the venv of tools/python-venv.sh.
"""

import unittest

import numpy as np

try:
    import headgeo
    import torch
    import transformers
    from test_models import entropy
except ImportError:  # pragma: no cover - depends on the machine
    transformers = None

SIZE = dict(hidden_size=32, num_attention_heads=4, num_hidden_layers=2, intermediate_size=64, vocab_size=97)


def _decoder(config_class, model_class, **extra):
    return lambda: getattr(transformers, model_class)(getattr(transformers, config_class)(**{**SIZE, **extra}))


# name -> (builder, how the block's q/k norms turn into gains: None, "weight", "1 + weight", "centred weight")
FAMILIES = {
    "gpt2": (
        lambda: transformers.GPT2LMHeadModel(transformers.GPT2Config(n_embd=32, n_head=4, n_layer=2, vocab_size=97)),
        None,
    ),
    "gpt_neox": (_decoder("GPTNeoXConfig", "GPTNeoXForCausalLM"), None),
    "llama-gqa": (_decoder("LlamaConfig", "LlamaForCausalLM", num_key_value_heads=2), None),
    "mistral-mqa": (_decoder("MistralConfig", "MistralForCausalLM", num_key_value_heads=1), None),
    "qwen2": (_decoder("Qwen2Config", "Qwen2ForCausalLM", num_key_value_heads=2), None),
    "gemma": (_decoder("GemmaConfig", "GemmaForCausalLM", head_dim=8, num_key_value_heads=1), None),
    "phi3": (_decoder("Phi3Config", "Phi3ForCausalLM", num_key_value_heads=2, pad_token_id=0), None),
    "opt": (
        lambda: transformers.OPTForCausalLM(
            transformers.OPTConfig(
                hidden_size=32,
                num_attention_heads=4,
                num_hidden_layers=2,
                ffn_dim=64,
                vocab_size=97,
                word_embed_proj_dim=32,
            )
        ),
        None,
    ),
    "bert": (_decoder("BertConfig", "BertModel"), None),
    "roberta": (_decoder("RobertaConfig", "RobertaModel"), None),
    "bloom": (
        lambda: transformers.BloomForCausalLM(
            transformers.BloomConfig(hidden_size=32, n_head=4, n_layer=2, vocab_size=97)
        ),
        None,
    ),
    "qwen3": (_decoder("Qwen3Config", "Qwen3ForCausalLM", num_key_value_heads=2, head_dim=8), "weight"),
    "olmo2": (_decoder("Olmo2Config", "Olmo2ForCausalLM", num_key_value_heads=2), "weight"),
    "gemma3": (_decoder("Gemma3TextConfig", "Gemma3ForCausalLM", num_key_value_heads=2, head_dim=8), "1 + weight"),
    "cohere": (
        _decoder("CohereConfig", "CohereForCausalLM", num_key_value_heads=2, use_qk_norm=True),
        "centred weight",
    ),
}


def _train_the_gains(model, seed):
    """Non-unit QK-norm gains, as training leaves them (initialised to 1, or to 0 in Gemma's 1 + weight form)."""
    g = torch.Generator().manual_seed(seed)
    for name, p in model.named_parameters():
        if ".q_norm." in name or ".k_norm." in name:
            with torch.no_grad():
                p.copy_(torch.rand(p.shape, generator=g, dtype=p.dtype) * 1.5 + 0.25)


def _dense_reference(block_module, heads, kv, d, gain_form):
    """Independent reading: per query head the top-d singular values of (G_q C W_Q^h)^T (G_k C W_K^g), formed
    densely.
    """
    w_q = block_module.q_proj.weight.detach().double().numpy()
    w_k = block_module.k_proj.weight.detach().double().numpy()

    def normed(w, norm, n_heads):
        if gain_form is None:
            return [w[h * d : (h + 1) * d] for h in range(n_heads)]
        weight = norm.weight.detach().double().numpy().reshape(-1)
        gain = 1.0 + weight if gain_form == "1 + weight" else weight
        out = []
        for h in range(n_heads):
            rows = w[h * d : (h + 1) * d]
            g = gain if gain.size == d else gain[h * d : (h + 1) * d]
            if gain_form == "centred weight":
                rows = (np.eye(d) - np.full((d, d), 1.0 / d)) @ rows
            out.append(g[:, None] * rows)
        return out

    q_heads = normed(w_q, getattr(block_module, "q_norm", None), heads)
    k_heads = normed(w_k, getattr(block_module, "k_norm", None), kv)
    return [np.linalg.svd(q.T @ k_heads[h // (heads // kv)], compute_uv=False)[:d] for h, q in enumerate(q_heads)]


def _eager(model):
    """The model's own probabilities come from eager attention (sub-models such as T5's stacks hold configs of their
    own).
    """
    for module in model.modules():
        if getattr(getattr(module, "config", None), "_attn_implementation", None) is not None:
            module.config._attn_implementation = "eager"


@unittest.skipIf(transformers is None, "transformers is not installed (tools/python-venv.sh)")
class TransformersFamiliesTest(unittest.TestCase):
    def setUp(self):
        torch.manual_seed(0)
        torch.set_default_dtype(torch.float64)

    def tearDown(self):
        torch.set_default_dtype(torch.float32)

    def _model(self, family):
        build, gain_form = FAMILIES[family]
        model = build()
        _eager(model)
        _train_the_gains(model, seed=len(family))
        return model.eval(), gain_form

    def test_singular_values_equal_a_dense_reading_of_the_weights_in_every_family(self):
        for family in FAMILIES:
            with self.subTest(family=family):
                model, gain_form = self._model(family)
                blocks = headgeo.attention_blocks(model)
                self.assertEqual(len(blocks), 2, family)
                got = headgeo.singular_values(model)
                for block, values in zip(blocks, got):
                    if block.layout != "q_proj/k_proj":
                        continue  # fused layouts: test_models.py checks them against the model's own slicing
                    want = _dense_reference(
                        block.module, block.num_heads, block.num_kv_heads, block.head_dim, gain_form
                    )
                    for h, (g, w) in enumerate(zip(values, want)):
                        np.testing.assert_allclose(
                            g, w, rtol=0, atol=1e-13 * w[0], err_msg=f"{family} {block.name} head {h}"
                        )

    def test_qk_norm_gains_change_the_metric_so_ignoring_them_would_be_caught(self):
        model, _ = self._model("qwen3")
        block = headgeo.attention_blocks(model)[0]
        plain = _dense_reference(block.module, block.num_heads, block.num_kv_heads, block.head_dim, None)
        folded = headgeo.singular_values(model)[0]
        self.assertGreater(max(abs(a[0] - b[0]) / b[0] for a, b in zip(folded, plain)), 0.05)

    def test_entropies_equal_the_models_own_eager_attention_probabilities(self):
        ids = torch.randint(0, 97, (2, 9), generator=torch.Generator().manual_seed(1))
        for family in FAMILIES:
            with self.subTest(family=family):
                model, _ = self._model(family)
                _, entropies = headgeo.measure(model, ids)
                with torch.no_grad():
                    attentions = model(ids, output_attentions=True).attentions
                self.assertEqual(len(entropies), len(attentions))
                for layer, (e, p) in enumerate(zip(entropies, attentions)):
                    np.testing.assert_allclose(e, entropy(p), rtol=0, atol=2e-11, err_msg=f"{family} layer {layer}")

    def test_largest_logits_are_the_pre_softmax_scores_of_the_models_own_attention(self):
        ids = torch.randint(0, 97, (2, 9), generator=torch.Generator().manual_seed(2))
        for family in FAMILIES:
            with self.subTest(family=family):
                model, gain_form = self._model(family)
                m = headgeo.models.measure_attention(model, ids)
                self.assertEqual(m.probe_tokens, 9)
                self.assertEqual(m.qk_norm, [gain_form is not None] * 2)
                if family == "bloom":
                    # ALiBi adds a bias the query and key states do not show: no logit rather than a wrong one
                    self.assertEqual(m.max_logits, [None, None])
                    continue
                self.assertTrue(all(layer is not None and len(layer) == 4 for layer in m.max_logits), m.max_logits)
        # an independent reading where the scores are q.k / sqrt(d) of the projections alone (no rotary embedding)
        for family, causal in (("gpt2", True), ("bert", False)):
            with self.subTest(reference=family):
                model, _ = self._model(family)
                seen = []
                blocks = headgeo.attention_blocks(model)
                hooks = [
                    b.qk_source[0].register_forward_hook(
                        lambda _m, _i, out, b=b, seen=seen: seen.append(b.qk_source[1](out))
                    )
                    for b in blocks
                    if b.qk_source and b.qk_source[1] is not None
                ]
                if not hooks:

                    def keep(b, seen=seen):
                        store = {}

                        def hook(name):
                            def keep_output(_m, _i, out):
                                store[name] = out
                                if len(store) == 2:
                                    seen.append((store.pop("q"), store.pop("k")))

                            return keep_output

                        q, k = b.qk_source[0]
                        return [q.register_forward_hook(hook("q")), k.register_forward_hook(hook("k"))]

                    hooks = [h for b in blocks for h in keep(b)]
                model.eval()
                with torch.no_grad():
                    model(ids)
                for h in hooks:
                    h.remove()
                m = headgeo.models.measure_attention(model, ids)
                for layer, (q, k) in enumerate(seen):
                    q = q.double().reshape(2, 9, 4, 8).transpose(1, 2)
                    k = k.double().reshape(2, 9, 4, 8).transpose(1, 2)
                    scores = q @ k.transpose(-1, -2) / np.sqrt(8)
                    if causal:
                        scores = scores.masked_fill(torch.ones(9, 9, dtype=torch.bool).triu(1), float("-inf"))
                    np.testing.assert_allclose(
                        m.max_logits[layer],
                        scores.amax(dim=(0, 2, 3)).numpy(),
                        rtol=1e-6,
                        err_msg=f"{family} layer {layer}",
                    )

    def test_vit_and_t5_are_read_with_their_own_inputs(self):
        vit = transformers.ViTModel(
            transformers.ViTConfig(
                hidden_size=32,
                num_attention_heads=4,
                num_hidden_layers=2,
                intermediate_size=64,
                image_size=16,
                patch_size=8,
            )
        ).eval()
        _eager(vit)
        pixels = torch.rand(2, 3, 16, 16, generator=torch.Generator().manual_seed(2))
        _, entropies = headgeo.measure(vit, pixels)
        with torch.no_grad():
            attentions = vit(pixels, output_attentions=True).attentions
        for e, p in zip(entropies, attentions):
            np.testing.assert_allclose(e, entropy(p), rtol=0, atol=2e-11)

        t5 = transformers.T5ForConditionalGeneration(
            transformers.T5Config(
                d_model=32, num_heads=4, num_layers=2, d_ff=64, d_kv=8, vocab_size=97, decoder_start_token_id=0
            )
        ).eval()
        _eager(t5)
        ids = torch.randint(1, 97, (2, 7), generator=torch.Generator().manual_seed(3))
        _singular_values, entropies = headgeo.measure(t5, {"input_ids": ids})
        decoder_ids = t5._shift_right(ids)
        with torch.no_grad():
            out = t5(input_ids=ids, decoder_input_ids=decoder_ids, output_attentions=True)
        # module order: encoder self-attention, then per decoder layer self- and cross-attention
        own = list(out.encoder_attentions) + [
            p for pair in zip(out.decoder_attentions, out.cross_attentions) for p in pair
        ]
        self.assertEqual(len(entropies), len(own))
        for e, p in zip(entropies, own):
            np.testing.assert_allclose(e, entropy(p), rtol=0, atol=2e-11)

    def test_a_norm_with_a_bias_is_refused_in_one_line_naming_it(self):
        model, _ = self._model("qwen3")
        attention = model.model.layers[0].self_attn
        attention.q_norm = torch.nn.LayerNorm(attention.head_dim)
        with torch.no_grad():
            attention.q_norm.bias.fill_(0.3)
        with self.assertRaises(ValueError) as caught:
            headgeo.singular_values(model)
        self.assertIn("q_norm", str(caught.exception))
        self.assertNotIn("\n", str(caught.exception))


if __name__ == "__main__":
    unittest.main()
