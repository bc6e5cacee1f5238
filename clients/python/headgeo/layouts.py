"""Where a model keeps each attention block's query and key weights, and how many heads it has.

:func:`attention_blocks` walks a PyTorch model in module order and recognises, by Hugging Face's
module and attribute names:

==========================  =======================================================================
layout                      where W_Q and W_K are
==========================  =======================================================================
``nn.MultiheadAttention``   ``in_proj_weight`` rows [W_Q; W_K; W_V], or ``q_proj_weight``/``k_proj_weight``
``q_proj/k_proj``           two ``nn.Linear`` (Llama, Mistral, Qwen2, Gemma, OPT, BART, ...); grouped-query
                            and multi-query attention through ``num_key_value_heads``
``query/key``               two ``nn.Linear`` (BERT, ViT, ...)
``q/k``                     two ``nn.Linear`` without bias and ``n_heads`` (T5)
``c_attn``                  one fused ``Conv1D`` (GPT-2: weight (in, out), y = x W + b) holding
                            [Q | K | V] column blocks; ``q_attn`` + ``c_attn`` [K | V] for GPT-2's cross-attention
``query_key_value``         one fused ``nn.Linear`` whose output is per head [q, k, v]
                            (GPT-NeoX / Pythia, BLOOM: view (..., heads, 3 * head_dim))
``qkv_proj``                one fused ``nn.Linear`` with [Q | K | V] row blocks sized by the query
                            and key/value head counts (Phi-3)
==========================  =======================================================================

Head counts come from the module's own attributes (``num_heads``, ``num_attention_heads``,
``n_heads``, ``n_head``; ``num_key_value_heads``, ``num_kv_heads``, ``n_kv_heads`` or
``num_key_value_groups``) or, failing those, from its ``config``. Under grouped-query attention
query head h attends with key head h // (heads / kv_heads). A block that cannot be read is an
error naming the module and what is missing; nothing is guessed. Falcon's ``query_key_value``
(whose layout depends on ``new_decoder_architecture`` and ``multi_query``) is refused.
"""

import numpy as np

from headgeo.distributed import full
from headgeo.qk_norm import norm_modules, qk_norm_fold

_HEADS = ("num_heads", "num_attention_heads", "n_heads", "n_head")
_KV_HEADS = ("num_key_value_heads", "num_kv_heads", "n_kv_heads")
_ROTARY_CONFIG = ("rope_theta", "rotary_pct", "rotary_emb_base", "rotary_dim", "rope_scaling", "partial_rotary_factor")
_ROTARY_MODELS = (
    "llama",
    "mistral",
    "mixtral",
    "qwen2",
    "qwen3",
    "gemma",
    "gemma2",
    "gemma3",
    "gpt_neox",
    "phi3",
    "phi",
    "gptj",
    "olmo",
    "olmo2",
    "starcoder2",
    "cohere",
    "stablelm",
    "falcon",
)


class AttentionBlock:
    """One attention block: its query/key heads in ``nn.Linear`` layout and what changes its probabilities.

    ``position_terms`` names what the block adds to q·k (rotary embeddings, ALiBi, a relative position
    bias) or is None when its probabilities are softmax(q k^T * scale) of the projections alone.
    """

    def __init__(
        self,
        name,
        module,
        layout,
        num_heads,
        num_kv_heads,
        head_dim,
        weights,
        position_terms,
        scaled=True,
        causal=None,
        qk_source=None,
    ):
        self.name = name
        self.module = module
        self.layout = layout
        self.num_heads = num_heads
        self.num_kv_heads = num_kv_heads
        self.head_dim = head_dim
        self._weights = weights
        self.position_terms = position_terms
        self.scaled = scaled
        self.causal = causal
        # (module, how its output splits into q and k) for recomputing probabilities from the projections
        self.qk_source = qk_source

    def key_head(self, h):
        """The key head query head ``h`` attends with."""
        return h // (self.num_heads // self.num_kv_heads)

    def query_key_heads(self):
        """(per query head W_Q^h, per key head W_K^g): float64 arrays (head_dim, in_features)."""
        w_q, w_k = self._weights()
        d = self.head_dim
        return [w_q[h * d : (h + 1) * d] for h in range(self.num_heads)], [
            w_k[g * d : (g + 1) * d] for g in range(self.num_kv_heads)
        ]

    def singular_values(self):
        """Per query head, the singular values of W_Q^h W_K^g(h)^T, largest first.

        With thin QR factorisations (W_Q^h)^T = U1 R1 and (W_K^g)^T = U2 R2, W_Q^h (W_K^g)^T
        = U1 (R1 R2^T) U2^T: its singular values are those of the head_dim x head_dim matrix R1 R2^T,
        so the in_features x in_features metric is never formed.
        """
        q_heads, k_heads = self.query_key_heads()
        # mode="r": only R is needed, which halves the cost of forming Q as well
        r_k = [np.linalg.qr(k.T, mode="r") for k in k_heads]
        out = []
        for h, q in enumerate(q_heads):
            r_q = np.linalg.qr(q.T, mode="r")
            out.append(np.linalg.svd(r_q @ r_k[self.key_head(h)].T, compute_uv=False).tolist())
        return out

    def __repr__(self):
        return (
            f"AttentionBlock({self.name!r}, {self.layout}, heads={self.num_heads}, "
            f"kv_heads={self.num_kv_heads}, head_dim={self.head_dim})"
        )


def numpy64(t, name="parameter"):
    """A tensor (or array) as a float64 numpy array on the CPU; a DTensor shard is all-gathered first (a collective)."""
    if hasattr(t, "detach"):
        import torch

        return full(t.detach(), name).to(dtype=torch.float64, device="cpu").numpy()
    return np.asarray(t, dtype=np.float64)


def _count(module, names):
    for owner in (module, getattr(module, "config", None)):
        for name in names:
            value = getattr(owner, name, None)
            if isinstance(value, int) and not isinstance(value, bool) and value > 0:
                return value
    return None


def _head_counts(name, module, what):
    heads = _count(module, _HEADS)
    if heads is None:
        raise ValueError(f"{name}: {what} found but no head count ({', '.join(_HEADS)} on the module or its config)")
    kv = _count(module, _KV_HEADS)
    if kv is None:
        groups = getattr(module, "num_key_value_groups", None)
        kv = heads // groups if isinstance(groups, int) and groups > 0 and heads % groups == 0 else heads
    if heads % kv:
        raise ValueError(f"{name}: {heads} query heads cannot share {kv} key/value heads evenly")
    return heads, kv


def _position_terms(module):
    config = getattr(module, "config", None)
    model_type = str(getattr(config, "model_type", "") or "")
    cls = type(module).__name__.lower()
    if (
        hasattr(module, "relative_attention_num_buckets")
        or hasattr(module, "has_relative_attention_bias")
        or model_type in ("t5", "mt5", "umt5")
    ):
        return "T5's relative position bias"
    if "bloom" in cls or model_type in ("bloom", "mpt") or getattr(config, "alibi", False) or hasattr(module, "alibi"):
        return "ALiBi"
    if (
        any(hasattr(module, a) for a in ("rotary_emb", "rotary_ndims", "rotary_fn"))
        or any(getattr(config, a, None) is not None for a in _ROTARY_CONFIG)
        or model_type in _ROTARY_MODELS
        or getattr(config, "position_embedding_type", None) == "rotary"
    ):
        return "rotary position embeddings"
    return None


def _is_linear(m):
    from torch import nn

    return isinstance(m, nn.Linear)


def _is_conv1d(m):
    """Hugging Face's Conv1D (GPT-2): weight (in_features, out_features), y = x W + b."""
    w = getattr(m, "weight", None)
    return (type(m).__name__ == "Conv1D" or hasattr(m, "nf")) and w is not None and w.dim() == 2


def _rows(m):
    """The weight of a Linear or a Conv1D in nn.Linear layout (out_features, in_features)."""
    w = numpy64(m.weight)
    return w.T if _is_conv1d(m) else w


def _split_dims(name, total, heads, kv, what):
    if total % (heads + 2 * kv):
        raise ValueError(
            f"{name}: {what} has {total} outputs, not a multiple of {heads} query + 2 x {kv} key/value heads"
        )
    return total // (heads + 2 * kv)


def _block(name, module):
    """The AttentionBlock of ``module``, None when it is not an attention block."""
    block = _read_block(name, module)
    if (
        block is not None
        and block.layout not in ("q_proj/k_proj", "query/key", "q/k")
        and norm_modules(module) is not None
    ):
        raise ValueError(
            f"{name}: q_norm/k_norm on a {block.layout} block are not folded into its metric: refused rather "
            "than measured without them"
        )
    return block


def _read_block(name, module):
    from torch import nn

    if isinstance(module, nn.MultiheadAttention):
        d, heads = module.embed_dim, module.num_heads

        def weights():
            if module._qkv_same_embed_dim:
                w = numpy64(module.in_proj_weight)
                return w[:d], w[d : 2 * d]
            return numpy64(module.q_proj_weight), numpy64(module.k_proj_weight)

        return AttentionBlock(name, module, "nn.MultiheadAttention", heads, heads, d // heads, weights, None)

    c_attn = getattr(module, "c_attn", None)
    if c_attn is not None and (_is_conv1d(c_attn) or _is_linear(c_attn)):
        heads, kv = _head_counts(name, module, "c_attn")
        q_attn = getattr(module, "q_attn", None)
        out = _rows(c_attn).shape[0]
        if q_attn is not None and getattr(module, "is_cross_attention", True):
            if out % 2:
                raise ValueError(f"{name}: c_attn of a cross-attention has {out} outputs, not [K | V]")
            e = out // 2

            def weights():
                return _rows(q_attn), _rows(c_attn)[:e]

            return AttentionBlock(
                name, module, "q_attn+c_attn", heads, heads, e // heads, weights, _position_terms(module), causal=False
            )
        if kv != heads or out % 3:
            raise ValueError(
                f"{name}: c_attn has {out} outputs; only [Q | K | V] of equal widths is read "
                f"(multi-query c_attn, as in GPT-BigCode, is not)"
            )
        e = out // 3

        def weights():
            w = _rows(c_attn)
            return w[:e], w[e : 2 * e]

        inverse_layer_scale = bool(getattr(getattr(module, "config", None), "scale_attn_by_inverse_layer_idx", False))
        return AttentionBlock(
            name,
            module,
            "c_attn",
            heads,
            heads,
            e // heads,
            weights,
            "scaling by the inverse layer index" if inverse_layer_scale else _position_terms(module),
            scaled=bool(getattr(module, "scale_attn_weights", True)),
            causal=not getattr(module, "is_cross_attention", False),
            qk_source=(c_attn, lambda y: (y[..., :e], y[..., e : 2 * e])),
        )

    qkv = getattr(module, "query_key_value", None)
    if qkv is not None and _is_linear(qkv):
        if (
            "falcon" in type(module).__name__.lower()
            or str(getattr(getattr(module, "config", None), "model_type", "")) == "falcon"
        ):
            raise ValueError(
                f"{name}: Falcon's fused query_key_value "
                "(layout set by new_decoder_architecture/multi_query) is not read"
            )
        heads, kv = _head_counts(name, module, "query_key_value")
        if kv != heads:
            raise ValueError(
                f"{name}: query_key_value with {kv} key/value heads for {heads} query heads "
                "is not a layout headgeo reads"
            )
        out = qkv.weight.shape[0]
        d = _split_dims(name, out, heads, kv, "query_key_value")

        def weights():
            w = numpy64(qkv.weight).reshape(heads, 3, d, -1)
            return w[:, 0].reshape(heads * d, -1), w[:, 1].reshape(heads * d, -1)

        def split(y):
            y = y.reshape(*y.shape[:-1], heads, 3, d)
            return y[..., 0, :].flatten(-2), y[..., 1, :].flatten(-2)

        return AttentionBlock(
            name,
            module,
            "query_key_value",
            heads,
            heads,
            d,
            weights,
            _position_terms(module),
            causal=True,
            qk_source=(qkv, split),
        )

    fused = getattr(module, "qkv_proj", None)
    if fused is not None and _is_linear(fused):
        heads, kv = _head_counts(name, module, "qkv_proj")
        d = _split_dims(name, fused.weight.shape[0], heads, kv, "qkv_proj")

        def weights():
            w = numpy64(fused.weight)
            return w[: heads * d], w[heads * d : (heads + kv) * d]

        def split(y):
            return y[..., : heads * d], y[..., heads * d : (heads + kv) * d]

        return AttentionBlock(
            name,
            module,
            "qkv_proj",
            heads,
            kv,
            d,
            weights,
            _position_terms(module),
            causal=True,
            qk_source=(fused, split),
        )

    for q_name, k_name in (("q_proj", "k_proj"), ("query", "key"), ("q", "k")):
        q, k = getattr(module, q_name, None), getattr(module, k_name, None)
        if _is_linear(q) and _is_linear(k):
            heads, kv = _head_counts(name, module, f"{q_name}/{k_name}")
            if (
                q.weight.shape[0] % heads
                or k.weight.shape[0] % kv
                or q.weight.shape[0] // heads != k.weight.shape[0] // kv
            ):
                raise ValueError(
                    f"{name}: {q_name} has {q.weight.shape[0]} outputs and {k_name} {k.weight.shape[0]}, "
                    f"which do not split into {heads} and {kv} heads of one width"
                )
            layout = f"{q_name}/{k_name}"
            terms = _position_terms(module)
            scaled = True
            if layout == "q/k":
                # T5 does not scale q.k by 1/sqrt(d) and adds its relative position bias
                scaled = False
                terms = terms or ("T5's relative position bias" if hasattr(module, "n_heads") else None)
            d = q.weight.shape[0] // heads
            fold = qk_norm_fold(name, module, heads, kv, d)

            def weights(q=q, k=k, fold=fold, q_name=q_name, k_name=k_name):
                w_q, w_k = numpy64(q.weight, f"{name}.{q_name}.weight"), numpy64(k.weight, f"{name}.{k_name}.weight")
                return fold(w_q, w_k) if fold is not None else (w_q, w_k)

            if fold is not None:
                # recomputing softmax(q.k) from the projections would skip the norms
                terms = ", ".join(t for t in (terms, fold.names) if t)
            return AttentionBlock(
                name, module, layout, heads, kv, d, weights, terms, scaled=scaled, qk_source=((q, k), None)
            )
    return None


def attention_blocks(model):
    """The model's attention blocks in module order; ValueError (naming the module) when one cannot be read or none
    exists.
    """
    blocks = []
    for name, module in model.named_modules():
        block = _block(name or type(module).__name__, module)
        if block is not None:
            blocks.append(block)
    if not blocks:
        raise ValueError(
            f"no attention blocks found in {type(model).__name__} (nn.MultiheadAttention, or modules with "
            "q_proj/k_proj, query/key, q/k, c_attn, query_key_value or qkv_proj)"
        )
    return blocks


def singular_values(model):
    """Per attention block, per query head: the singular values of W_Q^h W_K^g(h)^T. No forward pass."""
    return [b.singular_values() for b in attention_blocks(model)]
