"""Attention blocks built in plain PyTorch with Hugging Face's class names, attribute names and weight
shapes (random weights), each able to return the attention probabilities it used, as Hugging Face's
eager attention does with output_attentions. Each also exposes ``query_key_heads()``: W_Q^h and W_K^g
read from its parameters by this file's own knowledge of the layout (independently of headgeo's), and
``probabilities(x)``: the probabilities it computes, for the tests to compare with."""

import math
import types

import torch
from torch import nn


def config(**kw):
    return types.SimpleNamespace(**kw)


def rotate(x, dims, base=10000.0):
    """Rotary position embedding on the first ``dims`` features of (batch, heads, seq, d)."""
    seq = x.shape[-2]
    inv = 1.0 / (base ** (torch.arange(0, dims, 2, dtype=torch.float64) / dims))
    angles = torch.arange(seq, dtype=torch.float64)[:, None] * inv[None, :]
    cos, sin = torch.cat([angles.cos()] * 2, -1).to(x.dtype), torch.cat([angles.sin()] * 2, -1).to(x.dtype)
    r, rest = x[..., :dims], x[..., dims:]
    half = dims // 2
    rotated = torch.cat([-r[..., half:], r[..., :half]], -1)
    return torch.cat([r * cos + rotated * sin, rest], -1)


def causal_softmax(logits):
    n = logits.shape[-1]
    return logits.masked_fill(torch.ones(n, n, dtype=torch.bool).triu(1), float("-inf")).softmax(-1)


def heads_of(t, heads):
    b, s, _ = t.shape
    return t.reshape(b, s, heads, -1).transpose(1, 2)


class HfBlock(nn.Module):
    def forward(self, x, output_attentions=False):
        p = self.probabilities(x)
        v = self.values(x)
        out = (p @ v.repeat_interleave(p.shape[1] // v.shape[1], 1)).transpose(1, 2).flatten(2)
        return (self.o(out), p) if output_attentions else (self.o(out), None)


class Conv1D(nn.Module):
    """Hugging Face's Conv1D: weight (in_features, out_features), y = x W + b."""

    def __init__(self, nf, nx):
        super().__init__()
        self.nf = nf
        self.weight = nn.Parameter(torch.randn(nx, nf) * 0.2)
        self.bias = nn.Parameter(torch.randn(nf) * 0.1)

    def forward(self, x):
        return x @ self.weight + self.bias


class GPT2Attention(HfBlock):
    def __init__(self, e=32, heads=4):
        super().__init__()
        self.config = config(model_type="gpt2", n_head=heads, scale_attn_weights=True)
        self.embed_dim, self.num_heads, self.head_dim, self.split_size = e, heads, e // heads, e
        self.scale_attn_weights, self.is_cross_attention = True, False
        self.c_attn, self.c_proj = Conv1D(3 * e, e), Conv1D(e, e)
        self.o = self.c_proj

    def query_key_heads(self):
        w = self.c_attn.weight.detach().double()  # (in, 3e): columns [Q | K | V]
        e, d = self.embed_dim, self.head_dim
        return (
            [w[:, h * d : (h + 1) * d].T for h in range(self.num_heads)],
            [w[:, e + h * d : e + (h + 1) * d].T for h in range(self.num_heads)],
            list(range(self.num_heads)),
        )

    def probabilities(self, x):
        q, k, _ = self.c_attn(x).split(self.split_size, dim=2)
        return causal_softmax(
            heads_of(q, self.num_heads) @ heads_of(k, self.num_heads).transpose(-1, -2) / math.sqrt(self.head_dim)
        )

    def values(self, x):
        return heads_of(self.c_attn(x).split(self.split_size, dim=2)[2], self.num_heads)


class GPT2AttentionWithoutOutputAttentions(GPT2Attention):
    """The same block in a model that cannot return its probabilities: headgeo recomputes them (exact for GPT-2)."""

    def forward(self, x):
        return super().forward(x)[0]


class GPTNeoXAttention(HfBlock):
    """query_key_value output per head [q, k, v]; rotary on the first rotary_pct of each head."""

    def __init__(self, e=32, heads=4, rotary_pct=0.5):
        super().__init__()
        self.config = config(model_type="gpt_neox", num_attention_heads=heads, hidden_size=e, rotary_pct=rotary_pct)
        self.head_size = e // heads
        self.rotary_ndims = int(self.head_size * rotary_pct)
        self.query_key_value, self.dense = nn.Linear(e, 3 * e), nn.Linear(e, e)
        self.o = self.dense

    def split(self, x):
        b, s, _ = x.shape
        qkv = (
            self.query_key_value(x).view(b, s, self.config.num_attention_heads, 3 * self.head_size).permute(0, 2, 1, 3)
        )
        return qkv.chunk(3, dim=-1)

    def query_key_heads(self):
        w = self.query_key_value.weight.detach().double()  # rows: head h owns [q | k | v] at h*3d
        d, n = self.head_size, self.config.num_attention_heads
        return (
            [w[h * 3 * d : h * 3 * d + d] for h in range(n)],
            [w[h * 3 * d + d : h * 3 * d + 2 * d] for h in range(n)],
            list(range(n)),
        )

    def probabilities(self, x):
        q, k, _ = self.split(x)
        q, k = rotate(q, self.rotary_ndims), rotate(k, self.rotary_ndims)
        return causal_softmax(q @ k.transpose(-1, -2) / math.sqrt(self.head_size))

    def values(self, x):
        return self.split(x)[2]


class BloomAttention(GPTNeoXAttention):
    """BLOOM: the same fused per-head [q, k, v] layout, ALiBi instead of rotary."""

    def __init__(self, e=32, heads=4):
        nn.Module.__init__(self)
        self.config = config(model_type="bloom", n_head=heads, hidden_size=e)
        self.num_heads, self.head_dim, self.head_size = heads, e // heads, e // heads
        self.query_key_value, self.dense = nn.Linear(e, 3 * e), nn.Linear(e, e)
        self.o = self.dense

    def split(self, x):
        b, s, _ = x.shape
        qkv = self.query_key_value(x).view(b, s, self.num_heads, 3, self.head_dim)
        return [qkv[..., i, :].transpose(1, 2) for i in range(3)]

    def query_key_heads(self):
        w = self.query_key_value.weight.detach().double()  # view (heads, 3, head_dim): rows h*3d + [0, d) q, [d, 2d) k
        d, n = self.head_dim, self.num_heads
        return (
            [w[h * 3 * d : h * 3 * d + d] for h in range(n)],
            [w[h * 3 * d + d : h * 3 * d + 2 * d] for h in range(n)],
            list(range(n)),
        )

    def probabilities(self, x):
        q, k, _ = self.split(x)
        s = x.shape[1]
        slopes = torch.tensor([2 ** (-8 * (h + 1) / self.num_heads) for h in range(self.num_heads)], dtype=x.dtype)
        alibi = slopes[:, None, None] * torch.arange(s, dtype=x.dtype)[None, None, :]
        return causal_softmax(q @ k.transpose(-1, -2) / math.sqrt(self.head_dim) + alibi)


class LlamaAttention(HfBlock):
    """Llama / Mistral / Qwen2 / Gemma: q_proj, k_proj with num_key_value_heads (grouped-query), rotary; head_dim from
    config.
    """

    def __init__(self, e=32, heads=4, kv_heads=2, head_dim=None, model_type="llama"):
        super().__init__()
        head_dim = head_dim or e // heads
        self.config = config(
            model_type=model_type,
            num_attention_heads=heads,
            num_key_value_heads=kv_heads,
            head_dim=head_dim,
            rope_theta=10000.0,
            hidden_size=e,
        )
        self.head_dim, self.num_key_value_groups = head_dim, heads // kv_heads
        self.q_proj = nn.Linear(e, heads * head_dim, bias=False)
        self.k_proj = nn.Linear(e, kv_heads * head_dim, bias=False)
        self.v_proj = nn.Linear(e, kv_heads * head_dim, bias=False)
        self.o_proj = nn.Linear(heads * head_dim, e, bias=False)
        self.o = self.o_proj

    def query_key_heads(self):
        d, n, g = self.head_dim, self.config.num_attention_heads, self.num_key_value_groups
        wq, wk = self.q_proj.weight.detach().double(), self.k_proj.weight.detach().double()
        return (
            [wq[h * d : (h + 1) * d] for h in range(n)],
            [wk[j * d : (j + 1) * d] for j in range(n // g)],
            [h // g for h in range(n)],
        )

    def probabilities(self, x):
        q = rotate(heads_of(self.q_proj(x), self.config.num_attention_heads), self.head_dim)
        k = rotate(heads_of(self.k_proj(x), self.config.num_key_value_heads), self.head_dim)
        k = k.repeat_interleave(self.num_key_value_groups, 1)
        return causal_softmax(q @ k.transpose(-1, -2) / math.sqrt(self.head_dim))

    def values(self, x):
        return heads_of(self.v_proj(x), self.config.num_key_value_heads)


class Phi3Attention(LlamaAttention):
    """Phi-3: one qkv_proj with [Q | K | V] row blocks sized by the head counts."""

    def __init__(self, e=32, heads=4, kv_heads=2):
        super().__init__(e, heads, kv_heads, model_type="phi3")
        d = self.head_dim
        del self.q_proj, self.k_proj, self.v_proj
        self.qkv_proj = nn.Linear(e, (heads + 2 * kv_heads) * d, bias=False)

    def parts(self, x):
        n, kv, d = self.config.num_attention_heads, self.config.num_key_value_heads, self.head_dim
        y = self.qkv_proj(x)
        return y[..., : n * d], y[..., n * d : (n + kv) * d], y[..., (n + kv) * d :]

    def query_key_heads(self):
        n, kv, d, g = (
            self.config.num_attention_heads,
            self.config.num_key_value_heads,
            self.head_dim,
            self.num_key_value_groups,
        )
        w = self.qkv_proj.weight.detach().double()
        return (
            [w[h * d : (h + 1) * d] for h in range(n)],
            [w[(n + j) * d : (n + j + 1) * d] for j in range(kv)],
            [h // g for h in range(n)],
        )

    def probabilities(self, x):
        q, k, _ = self.parts(x)
        q = rotate(heads_of(q, self.config.num_attention_heads), self.head_dim)
        k = rotate(heads_of(k, self.config.num_key_value_heads), self.head_dim).repeat_interleave(
            self.num_key_value_groups, 1
        )
        return causal_softmax(q @ k.transpose(-1, -2) / math.sqrt(self.head_dim))

    def values(self, x):
        return heads_of(self.parts(x)[2], self.config.num_key_value_heads)


class T5Attention(HfBlock):
    """T5: q, k, v, o without bias, n_heads, no 1/sqrt(d) scaling, a relative position bias."""

    def __init__(self, e=32, heads=4, d_kv=8):
        super().__init__()
        self.n_heads, self.key_value_proj_dim, self.inner_dim = heads, d_kv, heads * d_kv
        self.has_relative_attention_bias, self.relative_attention_num_buckets = True, 8
        self.q, self.k, self.v = (nn.Linear(e, heads * d_kv, bias=False) for _ in range(3))
        self.o = nn.Linear(heads * d_kv, e, bias=False)
        self.relative_attention_bias = nn.Embedding(self.relative_attention_num_buckets, heads)

    def query_key_heads(self):
        d = self.key_value_proj_dim
        wq, wk = self.q.weight.detach().double(), self.k.weight.detach().double()
        return (
            [wq[h * d : (h + 1) * d] for h in range(self.n_heads)],
            [wk[h * d : (h + 1) * d] for h in range(self.n_heads)],
            list(range(self.n_heads)),
        )

    def probabilities(self, x):
        s = x.shape[1]
        distance = (torch.arange(s)[None, :] - torch.arange(s)[:, None]).clamp(-4, 3) + 4
        bias = (
            self.relative_attention_bias(distance).permute(2, 0, 1).unsqueeze(0)
        )  # (1, heads, q, k): not probabilities
        self.last_bias = bias
        return (heads_of(self.q(x), self.n_heads) @ heads_of(self.k(x), self.n_heads).transpose(-1, -2) + bias).softmax(
            -1
        )

    def values(self, x):
        return heads_of(self.v(x), self.n_heads)

    def forward(self, x, output_attentions=False):
        out, p = super().forward(x, output_attentions)
        # as T5Attention: (output, position_bias[, probabilities])
        return (out, self.last_bias, p) if output_attentions else (out, self.last_bias)


class Stack(nn.Module):
    """A model of blocks applied in turn (residual), with Hugging Face's output_attentions argument."""

    def __init__(self, *blocks, config=None):
        super().__init__()
        self.layers = nn.ModuleList(blocks)
        if config is not None:
            self.config = config

    def forward(self, x, output_attentions=False):
        attentions = []
        for layer in self.layers:
            out = layer(x, output_attentions=output_attentions)
            x = x + out[0]
            attentions.append(out[-1])
        return (x, tuple(attentions)) if output_attentions else x

    def probabilities(self):
        """Per layer, the probabilities each block computes on the input it gets in this model."""

        def run(x):
            probs = []
            for layer in self.layers:
                probs.append(layer.probabilities(x))
                x = x + layer(x)[0]
            return probs

        return run


class PlainStack(Stack):
    """The same model without output_attentions."""

    def forward(self, x):
        for layer in self.layers:
            x = x + layer(x)
        return x
