"""Head geometry of a PyTorch model at a checkpoint: singular values and mean attention entropies.

    from headgeo import HeadgeoProducer
    producer = HeadgeoProducer("broker:9092", model="my-llama")
    if step % 100 == 0:
        producer.publish_model("run-42", step, model, probe_batch)      # returns at once

Singular values come from the weights alone (:func:`headgeo.singular_values`, no forward pass).
Entropies need the attention probabilities the model actually used on a probe batch:

1. **The model's own**, wherever it can return them: a model whose ``forward`` takes
   ``output_attentions`` (Hugging Face) is run with it (and with eager attention, which is what
   returns probabilities), and each block's probabilities are taken from its output.
2. **Recomputed** from the query/key projections only where that is exact: softmax(q k^T / sqrt(d))
   (causal where the block is), for blocks that add nothing to q·k — ``nn.MultiheadAttention`` (asked
   for its per-head weights), GPT-2's ``c_attn``, plain ``q_proj``/``k_proj`` or ``query``/``key`` blocks.
3. Otherwise an error naming the block and what it adds (rotary position embeddings, ALiBi, T5's
   relative position bias): never a silently wrong entropy.

The probe runs in eval mode under ``torch.no_grad()``; every module's training flag is restored
afterwards, and in eval mode no dropout draws from the random generator, so the probe does not
change what training does next.
"""

import inspect
import math
from collections.abc import Mapping

import torch
from torch import nn

from headgeo import attention_probe
from headgeo.distributed import unwrap
from headgeo.geometry import mean_attention_entropy
from headgeo.layouts import attention_blocks
from headgeo.qk_norm import norm_modules


def _accepts_output_attentions(fn):
    """True when ``fn`` takes an ``output_attentions`` keyword (by name, or through **kwargs)."""
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return False
    return any(p.name == "output_attentions" or p.kind is inspect.Parameter.VAR_KEYWORD for p in params)


def _is_probabilities(t, heads):
    """A (batch, heads, queries, keys) tensor of distributions (not, say, T5's position bias)."""
    if not isinstance(t, torch.Tensor) or t.dim() != 4 or t.shape[1] != heads or not t.is_floating_point():
        return False
    sums = t.detach().double().sum(-1)
    tolerance = 1e-4 if t.dtype in (torch.float32, torch.float64) else 2e-2  # half precision rounds each term
    return bool((t >= 0).all()) and bool(torch.allclose(sums, torch.ones_like(sums), atol=tolerance))


class _OwnProbabilities:
    """Takes each block's attention probabilities from its output while the model runs with output_attentions."""

    def __init__(self, blocks):
        self.blocks = blocks
        self.probs = [[] for _ in blocks]
        self._handles = []

    def __enter__(self):
        for i, block in enumerate(self.blocks):

            def hook(_module, _inputs, output, i=i, heads=block.num_heads):
                for item in output if isinstance(output, (tuple, list)) else (output,):
                    if _is_probabilities(item, heads):
                        self.probs[i].append(item.detach().to(torch.float64))
                        return

            self._handles.append(block.module.register_forward_hook(hook))
        return self

    def __exit__(self, *exc):
        for h in self._handles:
            h.remove()


def _split_heads(x, num_heads, batch_first):
    """(batch, seq, d) or (seq, batch, d) -> (batch, heads, seq, d_head)."""
    if x.dim() == 2:
        x = x.unsqueeze(0)
    elif not batch_first:
        x = x.transpose(0, 1)
    b, s, d = x.shape
    return x.reshape(b, s, num_heads, d // num_heads).transpose(1, 2)


class _Recomputed:
    """Recomputes each block's probabilities from its projections' outputs during one forward pass, then undoes every
    change.
    """

    def __init__(self, blocks, causal):
        self.blocks = blocks
        self.causal = causal
        self.probs = [[] for _ in blocks]
        self.max_logits = [[] for _ in blocks]
        self.key_length = 0
        self._undo = []

    def __enter__(self):
        for i, block in enumerate(self.blocks):
            if block.layout == "nn.MultiheadAttention":
                self._wrap_mha(i, block.module)
            else:
                self._hook_projections(i, block)
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

    def _hook_projections(self, i, block):
        causal = (
            self.causal
            if self.causal is not None
            else (block.causal if block.causal is not None else bool(getattr(block.module, "is_causal", False)))
        )
        batch_first = getattr(block.module, "batch_first", True)
        seen = {}

        def attend(q, k):
            q = _split_heads(q.detach().to(torch.float64), block.num_heads, batch_first)
            k = _split_heads(k.detach().to(torch.float64), block.num_kv_heads, batch_first)
            k = k.repeat_interleave(block.num_heads // block.num_kv_heads, dim=1)
            logits = q @ k.transpose(-1, -2)
            if block.scaled:
                logits = logits / math.sqrt(q.shape[-1])
            if causal:
                n, m = logits.shape[-2:]
                logits = logits.masked_fill(torch.ones(n, m, dtype=torch.bool).triu(1 + m - n), float("-inf"))
            self.probs[i].append(torch.softmax(logits, dim=-1))
            self.max_logits[i].append(logits.amax(dim=(0, 2, 3)))
            self.key_length = max(self.key_length, int(logits.shape[-1]))

        source, split = block.qk_source
        if split is not None:
            self._undo.append(source.register_forward_hook(lambda _m, _in, out: attend(*split(out))).remove)
            return

        def keep(which):
            def hook(_module, _inputs, output):
                seen[which] = output
                if "q" in seen and "k" in seen:
                    attend(seen.pop("q"), seen.pop("k"))

            return hook

        q, k = source
        self._undo.extend([q.register_forward_hook(keep("q")).remove, k.register_forward_hook(keep("k")).remove])

    def __exit__(self, *exc):
        for undo in reversed(self._undo):
            undo()


class _EagerAttention:
    """Hugging Face returns attention probabilities only from its eager attention: switch every config the model's
    modules hold to it for the probe.

    Where transformers has attention interfaces, the probe's own implementation (:mod:`headgeo.attention_probe`: eager
    attention that also reads each head's largest logit) is used instead of plain eager. Sub-models keep configs of
    their own (T5's encoder and decoder hold copies), so the model's top config alone is not enough.
    """

    def __init__(self, model):
        self.implementation = attention_probe.IMPLEMENTATION if attention_probe.register() else "eager"
        configs = {}
        for module in model.modules():
            config = getattr(module, "config", None)
            if config is not None and getattr(config, "_attn_implementation", None) not in (None, self.implementation):
                configs[id(config)] = config
        self.before = [(config, config._attn_implementation) for config in configs.values()]

    def __enter__(self):
        for config, _ in self.before:
            config._attn_implementation = self.implementation
        return self

    def __exit__(self, *exc):
        for config, implementation in self.before:
            config._attn_implementation = implementation


def _call_model(model, batch, **kwargs):
    """Runs the model on a probe batch: a tensor, or a dict of model inputs (``labels`` left out: no loss is needed).

    An encoder-decoder model (T5, BART) is given decoder inputs as in training, shifted right from the
    batch's labels or, without labels, from its input ids.
    """
    inputs = {k: v for k, v in batch.items() if k != "labels"} if isinstance(batch, Mapping) else None
    config = getattr(model, "config", None)
    if getattr(config, "is_encoder_decoder", False):
        inputs = inputs if inputs is not None else {"input_ids": batch}
        if "decoder_input_ids" not in inputs and "decoder_inputs_embeds" not in inputs:
            source = (
                batch.get("labels")
                if isinstance(batch, Mapping) and batch.get("labels") is not None
                else inputs.get("input_ids")
            )
            prepare = getattr(model, "prepare_decoder_input_ids_from_labels", None)
            if source is not None and prepare is not None:
                inputs["decoder_input_ids"] = prepare(labels=source)
    if inputs is not None:
        return model(**inputs, **kwargs)
    return model(batch, **kwargs)


class Measurement:
    """One checkpoint's measurement of a model, per attention block (layer) and query head.

    max_logits: per block the largest pre-softmax logit of each head on the probe, or None for a block where it could
    not be read exactly; probe_tokens: the probe's sequence length (keys attended over), None when unknown;
    qk_norm: per block whether it normalizes queries and keys (its logits are then bounded by the norms' gains, not by
    the metric's largest singular value).
    """

    def __init__(self, singular_values, entropies, max_logits, probe_tokens, qk_norm):
        self.singular_values = singular_values
        self.entropies = entropies
        self.max_logits = max_logits
        self.probe_tokens = probe_tokens
        self.qk_norm = qk_norm


def measure(model, probe_batch, forward=None, causal=None):
    """(singular_values, entropies): per attention block, per query head (see :func:`measure_attention` for the
    rest).
    """
    m = measure_attention(model, probe_batch, forward=forward, causal=causal)
    return m.singular_values, m.entropies


def measure_attention(model, probe_batch, forward=None, causal=None):
    """A :class:`Measurement`: singular values, entropies and largest logits per attention block and query head.

    The probe leaves the model as it found it.

    forward: how to run the model on the probe (default ``model(probe_batch)``); it is given
    ``output_attentions=True`` when both it (by name or **kwargs) and the model take that argument,
    e.g. ``lambda batch, **kw: t5(input_ids=batch, decoder_input_ids=batch, **kw)``. causal: force causal (or not)
    masking where
    probabilities are recomputed; default: the block's own (GPT-2 and the fused layouts are causal,
    other projection blocks say ``is_causal``).
    """
    model = unwrap(model)
    blocks = attention_blocks(model)
    singular_values = [b.singular_values() for b in blocks]
    own = _accepts_output_attentions(model.forward) and (forward is None or _accepts_output_attentions(forward))
    run = forward if forward is not None else (lambda batch, **kw: _call_model(model, batch, **kw))
    if not own:
        for b in blocks:
            if b.position_terms:
                raise ValueError(
                    f"{b.name}: {b.position_terms} change the attention probabilities, so they cannot be recomputed "
                    f"from the query/key projections; run a model that returns them (Hugging Face: output_attentions "
                    f"with eager attention) or publish entropies you computed"
                )
    modes = {m: m.training for m in model.modules()}
    try:
        model.eval()
        # PyTorch's fused fast path of nn.TransformerEncoder(Layer) in eval mode skips
        # MultiheadAttention.forward; flagging only those containers as training turns it off, while
        # dropout and attention stay in eval mode.
        for m in model.modules():
            if isinstance(m, (nn.TransformerEncoder, nn.TransformerEncoderLayer, nn.TransformerDecoderLayer)):
                m.training = True
        with torch.no_grad():
            if own:
                with (
                    _EagerAttention(model),
                    _OwnProbabilities(blocks) as capture,
                    attention_probe.MaxLogits() as logits,
                ):
                    run(probe_batch, output_attentions=True)
                max_logits = [logits.of(b.module) for b in blocks]
                probe_tokens = logits.key_length or None
            else:
                with _Recomputed(blocks, causal) as capture:
                    run(probe_batch)
                max_logits = [torch.stack(seen).amax(dim=0).tolist() if seen else None for seen in capture.max_logits]
                probe_tokens = capture.key_length or None
    finally:
        for m, mode in modes.items():
            m.training = mode
    entropies = []
    for block, probs in zip(blocks, capture.probs):
        if not probs:
            raise ValueError(
                f"{block.name}: no attention probabilities were seen during the probe forward pass"
                + (
                    " (asked with output_attentions; SDPA or flash attention return none: load the model with "
                    "attn_implementation='eager')"
                    if own
                    else ""
                )
            )
        entropies.append(mean_attention_entropy(torch.cat(probs, dim=0).numpy()))
        if probe_tokens is None:
            probe_tokens = int(probs[0].shape[-1])
    return Measurement(
        singular_values, entropies, max_logits, probe_tokens, [norm_modules(b.module) is not None for b in blocks]
    )


def dump(singular_values, entropies):
    """The checkpoint in the reference script's file layout (what ``headgeo analyze`` reads)."""
    return {
        "num_layers": len(singular_values),
        "num_heads": len(singular_values[0]),
        "static": [{"layer": i, "metric_singvals_per_head": sv} for i, sv in enumerate(singular_values)],
        "dynamic": [{"layer": i, "mean_attention_entropy_per_head": e} for i, e in enumerate(entropies)],
    }
