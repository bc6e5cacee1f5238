"""Head geometry of a PyTorch model, measured at a checkpoint for headgeo.

    from headgeo_producer import HeadgeoProducer
    producer = HeadgeoProducer("broker:9092", model="tiny-transformer")
    ...
    if step % 100 == 0:
        producer.publish_model("run-42", step, model, probe_batch)      # returns at once

:func:`attention_blocks` finds the model's attention blocks, in module order:

* ``torch.nn.MultiheadAttention`` with a fused ``in_proj_weight`` ([W_Q; W_K; W_V]) or separate
  ``q_proj_weight`` / ``k_proj_weight``;
* any module with query/key ``torch.nn.Linear`` children named ``q_proj``/``k_proj`` (Hugging Face
  Llama, OPT, BART, ...) or ``query``/``key`` (BERT), whose head count is an attribute
  (``num_heads``, ``num_attention_heads``, ``n_heads``, ``n_head``) or in its ``config``.

:func:`measure` computes, per block, every head's singular values of W_Q^h W_K^h^T (the QR route of
:func:`headgeo_producer.head_singular_values`, in float64, never a d_model x d_model matrix) and
the mean attention entropy per head on a probe batch, captured through the blocks while the model
runs the probe in eval mode under ``torch.no_grad()``; every module's training flag is restored
afterwards, and in eval mode no dropout draws from the random generator, so the probe does not
change what training does next.

Attention probabilities: ``MultiheadAttention`` is asked for its per-head weights
(``need_weights=True, average_attn_weights=False``); for query/key ``Linear`` blocks they are
softmax(q k^T / sqrt(d_head)) from the projections' outputs (causal when the block says
``is_causal``, or when ``causal=True`` is given), which is what the block computes unless it adds
masks or position terms of its own (rotary embeddings, ALiBi): pass your own ``entropies`` for
those.
"""
import math

import numpy as np
import torch
from torch import nn

from headgeo_producer import head_singular_values, mean_attention_entropy

_HEAD_COUNT_NAMES = ("num_heads", "num_attention_heads", "n_heads", "n_head")
_QK_NAMES = (("q_proj", "k_proj"), ("query", "key"))


class AttentionBlock:
    """One attention block: how to read its query/key weights and capture its attention probabilities."""

    def __init__(self, name, module, num_heads, kind, q=None, k=None):
        self.name = name
        self.module = module
        self.num_heads = num_heads
        self.kind = kind
        self._q = q
        self._k = k

    def query_key_weights(self):
        """W_Q and W_K in torch.nn.Linear layout (out_features, in_features), as float64 numpy arrays."""
        m = self.module
        if self.kind == "mha":
            if m._qkv_same_embed_dim:
                d = m.embed_dim
                w = m.in_proj_weight.detach()
                return _numpy(w[:d]), _numpy(w[d:2 * d])
            return _numpy(m.q_proj_weight.detach()), _numpy(m.k_proj_weight.detach())
        return _numpy(self._q.weight.detach()), _numpy(self._k.weight.detach())

    def singular_values(self):
        w_q, w_k = self.query_key_weights()
        return head_singular_values(w_q, w_k, self.num_heads)


def _numpy(t):
    return t.to(dtype=torch.float64, device="cpu").numpy()


def _head_count(module):
    for name in _HEAD_COUNT_NAMES:
        value = getattr(module, name, None)
        if isinstance(value, int) and value > 0:
            return value
    config = getattr(module, "config", None)
    for name in _HEAD_COUNT_NAMES:
        value = getattr(config, name, None)
        if isinstance(value, int) and value > 0:
            return value
    return None


def attention_blocks(model):
    """The model's attention blocks in module order; raises ValueError when it has none."""
    blocks = []
    for name, module in model.named_modules():
        if isinstance(module, nn.MultiheadAttention):
            blocks.append(AttentionBlock(name, module, module.num_heads, "mha"))
            continue
        for q_name, k_name in _QK_NAMES:
            q, k = getattr(module, q_name, None), getattr(module, k_name, None)
            if isinstance(q, nn.Linear) and isinstance(k, nn.Linear):
                heads = _head_count(module)
                if heads is None:
                    raise ValueError(f"{name}: has {q_name}/{k_name} but no head count attribute ({', '.join(_HEAD_COUNT_NAMES)})")
                blocks.append(AttentionBlock(name, module, heads, "linear", q, k))
                break
    if not blocks:
        raise ValueError("no attention blocks found (nn.MultiheadAttention, or q_proj/k_proj or query/key nn.Linear pairs)")
    return blocks


def _split_heads(x, num_heads, batch_first):
    """(batch, seq, d) or (seq, batch, d) -> (batch, heads, seq, d_head)."""
    if x.dim() == 2:
        x = x.unsqueeze(0)
    elif not batch_first:
        x = x.transpose(0, 1)
    b, s, d = x.shape
    return x.reshape(b, s, num_heads, d // num_heads).transpose(1, 2)


class _Capture:
    """Collects each block's attention probabilities during one forward pass, then undoes every change."""

    def __init__(self, blocks, causal):
        self.blocks = blocks
        self.causal = causal
        self.probs = [[] for _ in blocks]
        self._undo = []

    def __enter__(self):
        for i, block in enumerate(self.blocks):
            if block.kind == "mha":
                self._wrap_mha(i, block.module)
            else:
                self._hook_linear(i, block)
        return self

    def _wrap_mha(self, i, mha):
        original = mha.forward
        probs = self.probs[i]

        def forward(*args, **kwargs):
            kwargs["need_weights"] = True
            kwargs["average_attn_weights"] = False
            out, weights = original(*args, **kwargs)
            probs.append(weights.detach().to(torch.float64))
            return out, weights

        mha.forward = forward
        self._undo.append(lambda: delattr(mha, "forward"))

    def _hook_linear(self, i, block):
        seen = {}
        causal = self.causal if self.causal is not None else bool(getattr(block.module, "is_causal", False))
        batch_first = getattr(block.module, "batch_first", True)

        def keep(which):
            def hook(_module, _inputs, output):
                seen[which] = output.detach().to(torch.float64)
                if "q" in seen and "k" in seen:
                    q = _split_heads(seen.pop("q"), block.num_heads, batch_first)
                    k = _split_heads(seen.pop("k"), block.num_heads, batch_first)
                    logits = q @ k.transpose(-1, -2) / math.sqrt(q.shape[-1])
                    if causal:
                        n, m = logits.shape[-2:]
                        mask = torch.ones(n, m, dtype=torch.bool).triu(1 + m - n)
                        logits = logits.masked_fill(mask, float("-inf"))
                    self.probs[i].append(torch.softmax(logits, dim=-1))
            return hook

        handles = [block._q.register_forward_hook(keep("q")), block._k.register_forward_hook(keep("k"))]
        self._undo.extend(h.remove for h in handles)

    def __exit__(self, *exc):
        for undo in reversed(self._undo):
            undo()


def measure(model, probe_batch, forward=None, causal=None):
    """(singular_values, entropies): per block, per head; the probe leaves the model as it found it.

    forward: how to run the model on the probe (default ``model(probe_batch)``).
    """
    blocks = attention_blocks(model)
    singular_values = [b.singular_values() for b in blocks]
    modes = {m: m.training for m in model.modules()}
    try:
        model.eval()
        # PyTorch's fused fast path of nn.TransformerEncoder(Layer) in eval mode skips
        # MultiheadAttention.forward; flagging only those containers as training turns it off, while
        # dropout and attention stay in eval mode.
        for m in model.modules():
            if isinstance(m, (nn.TransformerEncoder, nn.TransformerEncoderLayer, nn.TransformerDecoderLayer)):
                m.training = True
        with torch.no_grad(), _Capture(blocks, causal) as capture:
            (forward or model)(probe_batch)
    finally:
        for m, mode in modes.items():
            m.training = mode
    entropies = []
    for block, probs in zip(blocks, capture.probs):
        if not probs:
            raise ValueError(f"{block.name}: no attention probabilities were seen during the probe forward pass")
        entropies.append(mean_attention_entropy(torch.cat(probs, dim=0).numpy()))
    return singular_values, entropies


def dump(singular_values, entropies):
    """The checkpoint in the reference script's file layout (what ``headgeo analyze`` reads)."""
    return {
        "num_layers": len(singular_values),
        "num_heads": len(singular_values[0]),
        "static": [{"layer": i, "metric_singvals_per_head": sv} for i, sv in enumerate(singular_values)],
        "dynamic": [{"layer": i, "mean_attention_entropy_per_head": e} for i, e in enumerate(entropies)],
    }
