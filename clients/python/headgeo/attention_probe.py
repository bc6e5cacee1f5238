"""The largest pre-softmax attention logit per head on the probe, read where Hugging Face models compute attention.

Hugging Face models look their attention function up by ``config._attn_implementation`` in
``transformers.AttentionInterface`` (and their mask builder in ``AttentionMaskInterface``). During the
probe headgeo registers one more implementation, ``headgeo_probe``: it calls the model file's own
``eager_attention_forward`` (so outputs and probabilities are exactly eager attention's) and, beside
it, computes ``q k^T * scaling`` from the same query and key states (after rotary embeddings and
QK-norm) to take each head's largest logit over the probe's unmasked positions.

A logit is only reported when ``softmax(logits + mask)`` reproduces the probabilities the model itself
returned; where the block adds something to q·k that the states do not show (ALiBi, a soft cap,
attention sinks), that block's logits are left out (None) rather than reported wrong.
"""

from __future__ import annotations

import sys
import threading

IMPLEMENTATION = "headgeo_probe"

_active = threading.local()
_registered = []


def register() -> bool:
    """Registers ``headgeo_probe`` with transformers once; False when transformers (5.x interfaces) is not there."""
    if _registered:
        return _registered[0]
    try:
        from transformers import AttentionInterface
        from transformers.masking_utils import AttentionMaskInterface, eager_mask
    except ImportError:
        _registered.append(False)
        return False
    AttentionInterface.register(IMPLEMENTATION, _probe_attention)
    AttentionMaskInterface.register(IMPLEMENTATION, eager_mask)
    _registered.append(True)
    return True


class MaxLogits:
    """While active (a context manager), collects per attention module the largest logit of each head."""

    def __init__(self):
        self.per_module = {}
        self.key_length = 0

    def __enter__(self):
        _active.capture = self
        return self

    def __exit__(self, *exc):
        _active.capture = None

    def of(self, module):
        """Per head largest logit of the module over the probe (a list of floats), None when not measured or not
        reproduced.
        """
        seen = self.per_module.get(id(module))
        if not seen or any(values is None for values in seen):
            return None
        import torch

        return torch.stack(seen).amax(dim=0).tolist()

    def record(self, module, query, key, attention_mask, scaling, weights):
        """Takes the block's scores as eager attention computes them, in the states' own precision (no float64 copy of a
        batch x heads x T x T tensor), and keeps each head's largest where their softmax reproduces ``weights``."""
        import torch

        query, key = query.detach(), key.detach()
        if key.shape[1] != query.shape[1]:
            key = key.repeat_interleave(query.shape[1] // key.shape[1], dim=1)
        scale = scaling if scaling is not None else query.shape[-1] ** -0.5
        scores = (query @ key.transpose(-1, -2)) * scale
        self.key_length = max(self.key_length, int(key.shape[-2]))
        valid = None
        masked = scores
        if attention_mask is not None:
            mask = attention_mask[..., : key.shape[-2]]
            if mask.dtype == torch.bool:
                valid = mask.expand_as(scores)
                masked = scores.masked_fill(~valid, float("-inf"))
            else:
                valid = (mask > torch.finfo(mask.dtype).min / 2).expand_as(scores)
                masked = scores + mask
        values = None
        if weights is not None and tuple(weights.shape) == tuple(scores.shape):
            expected = torch.softmax(masked, dim=-1, dtype=torch.float32)
            tolerance = 1e-4 if weights.dtype in (torch.float32, torch.float64) else 2e-2
            if torch.allclose(expected, weights.detach().to(torch.float32), atol=tolerance, rtol=tolerance):
                largest = scores if valid is None else scores.masked_fill(~valid, float("-inf"))
                values = largest.amax(dim=(0, 2, 3)).to(torch.float64)
        self.per_module.setdefault(id(module), []).append(values)


def _probe_attention(module, query, key, value, attention_mask, *args, **kwargs):
    eager = getattr(sys.modules.get(type(module).__module__), "eager_attention_forward", None) or _plain_eager
    out, weights = eager(module, query, key, value, attention_mask, *args, **kwargs)
    capture = getattr(_active, "capture", None)
    if capture is not None:
        capture.record(module, query, key, attention_mask, kwargs.get("scaling"), weights)
    return out, weights


def _plain_eager(module, query, key, value, attention_mask, scaling=None, dropout=0.0, **kwargs):
    """softmax(q k^T * scaling + mask) v, for a model file without an eager_attention_forward of its own."""
    import torch

    if key.shape[1] != query.shape[1]:
        groups = query.shape[1] // key.shape[1]
        key, value = key.repeat_interleave(groups, dim=1), value.repeat_interleave(groups, dim=1)
    logits = query @ key.transpose(-1, -2) * (scaling if scaling is not None else query.shape[-1] ** -0.5)
    if attention_mask is not None:
        mask = attention_mask[..., : key.shape[-2]]
        logits = logits.masked_fill(~mask, float("-inf")) if mask.dtype == torch.bool else logits + mask
    weights = torch.softmax(logits, dim=-1, dtype=torch.float32).to(query.dtype)
    return (weights @ value).transpose(1, 2).contiguous(), weights
