"""QK-norm: learned gains on queries and keys (Qwen3, OLMo2, Gemma 3, Cohere, StableLM, Persimmon ...).

Such a block computes logits from ``q_norm(W_Q x)`` and ``k_norm(W_K y)``, each norm dividing a head
(or the whole layer) by a per-token scale and multiplying element-wise by a learned gain ``g``
(``weight``, or ``1 + weight`` in Gemma's RMSNorm); LayerNorm-style norms first subtract the mean
over the head. The per-token scale is the same for every direction, so it cannot change the shape
of a head's bilinear form, and after it the logit scale is carried by the gains alone: the block's
metric is ``(diag(g_q) C W_Q^h)^T (diag(g_k) C W_K^g)`` with ``C`` the centering projection
(identity for RMSNorm). Ignoring the gains measures a different operator (58-63 % off with
trained gains), so they are folded into the weights' rows here.

Which form a norm has is not guessed from its class name: the norm is run once on two probe
vectors with the parameters' own values, and the output must match one of the forms above; a
norm that matches none (a bias, another statistic) refuses the block in one line naming it.
"""

from __future__ import annotations

import copy
from typing import Callable

import numpy as np

NORM_PAIRS = (("q_norm", "k_norm"), ("q_layernorm", "k_layernorm"))

#: the probe's output must match a form to this relative tolerance
#: (the norm's epsilon and float32 rounding stay far below)
_TOLERANCE = 1e-3


def norm_modules(module):
    """(attribute names, q norm, k norm) of a block with QK-norm, else None; one of the two norms may be absent."""
    from torch import nn

    for q_name, k_name in NORM_PAIRS:
        q, k = getattr(module, q_name, None), getattr(module, k_name, None)
        q = q if isinstance(q, nn.Module) else None
        k = k if isinstance(k, nn.Module) else None
        if q is not None or k is not None:
            return f"{q_name}/{k_name}", q, k
    return None


def _gathered_copy(norm, name):
    """A copy of the norm module with whole (gathered) plain parameters and no hooks, safe to call outside the model's
    forward.
    """
    from torch import nn

    from headgeo.distributed import full

    probe = copy.copy(norm)
    probe._parameters = {
        k: None if p is None else nn.Parameter(full(p.detach(), f"{name}.{k}"), requires_grad=False)
        for k, p in norm._parameters.items()
    }
    probe._forward_hooks, probe._forward_pre_hooks = {}, {}
    probe._modules = dict(norm._modules)
    return probe


def _gain_and_centering(norm, name) -> tuple[np.ndarray, bool]:
    """(gain with the weight's shape, whether the head is centred first) read off the norm, or ValueError.

    A norm made of one norm per head (StableLM's ``norms`` list) gives a (heads, head_dim) gain.
    """
    import torch
    from torch import nn

    per_head = getattr(norm, "norms", None)
    if isinstance(per_head, nn.ModuleList) and len(per_head) and not norm._parameters:
        read = [_gain_and_centering(n, f"{name}.norms.{i}") for i, n in enumerate(per_head)]
        if len({centred for _, centred in read}) != 1 or len({g.shape for g, _ in read}) != 1:
            raise ValueError(f"{name}: its per-head norms differ in form")
        return np.stack([g.reshape(-1) for g, _ in read]), read[0][1]

    probe = _gathered_copy(norm, name)
    weight = probe._parameters.get("weight")
    shape = tuple(weight.shape) if weight is not None else tuple(getattr(norm, "normalized_shape", ()) or ())
    if not shape:
        raise ValueError(f"{name}: neither a weight nor a normalized_shape to read its gain from")
    w = weight.detach().to(torch.float64).cpu().numpy() if weight is not None else np.zeros(shape)
    if not np.isfinite(w).all():
        raise ValueError(
            f"{name}: {int((~np.isfinite(w)).sum())} of its {w.size} gains are not finite (NaN or Inf: did training "
            "diverge?); refused rather than measured"
        )
    device = weight.device if weight is not None else "cpu"
    dtype = weight.dtype if weight is not None else torch.float32
    n = shape[-1]
    alternating = np.tile([1.0, -1.0], (n + 1) // 2)[:n]
    # row r of the second probe is offset by 0.5 (r + 1): a centring norm removes it, an RMS norm does not
    offsets = 0.5 * (1 + np.arange(int(np.prod(shape[:-1])))).reshape((*shape[:-1], 1))
    probes = [np.broadcast_to(alternating, shape), alternating + offsets]
    outputs = []
    with torch.no_grad():
        for x in probes:
            t = torch.tensor(np.ascontiguousarray(x), dtype=dtype, device=device)
            outputs.append(probe(t).detach().to(torch.float64).cpu().numpy())
    gains = [("weight", w)] + ([("1 + weight", 1.0 + w)] if weight is not None else [])
    if weight is None:
        gains = [("1", np.ones(shape))]
    for centred in (False, True):
        for _form, gain in gains:
            if all(_matches(out, _predicted(x, gain, centred)) for x, out in zip(probes, outputs)):
                return gain, centred
    raise ValueError(
        f"{name} ({type(norm).__name__}) is not a per-token normalization times a gain (weight or 1 + weight), "
        f"e.g. it adds a bias: refused rather than measured without it"
    )


def _predicted(x, gain, centred):
    y = x - x.mean(axis=-1, keepdims=True) if centred else x
    return gain * y / np.sqrt((y * y).mean(axis=-1, keepdims=True))


def _matches(out, predicted):
    scale = max(float(np.abs(predicted).max()), 1e-30)
    return out.shape == predicted.shape and float(np.abs(out - predicted).max()) <= _TOLERANCE * scale


def _per_head_rows(name, gain, centred, heads, head_dim):
    """Per head: (gain over the head's rows (head_dim,), centred) from a gain of shape (head_dim,), (heads*head_dim,)
    or (heads, head_dim).
    """
    flat = gain.reshape(-1)
    if flat.size == head_dim:
        per_head = [flat] * heads
    elif flat.size == heads * head_dim:
        per_head = [flat[h * head_dim : (h + 1) * head_dim] for h in range(heads)]
    else:
        raise ValueError(f"{name}: a gain of {flat.size} values fits neither one head ({head_dim}) nor {heads} heads")
    if centred and gain.shape[-1] != head_dim:
        raise ValueError(f"{name}: centres over {gain.shape[-1]} values, not over one head of {head_dim}")
    return per_head


def _fold(w, per_head, centred, head_dim):
    """Rows of W (heads*head_dim, in) multiplied per head by diag(g) C."""
    out = np.empty_like(w)
    for h, g in enumerate(per_head):
        rows = w[h * head_dim : (h + 1) * head_dim]
        if centred:
            rows = rows - rows.mean(axis=0, keepdims=True)
        out[h * head_dim : (h + 1) * head_dim] = g[:, None] * rows
    return out


def qk_norm_fold(name, module, heads, kv_heads, head_dim) -> Callable | None:
    """A function (w_q, w_k) -> (w_q, w_k) with the block's QK-norm folded in, None without QK-norm, ValueError when
    unreadable.
    """
    found = norm_modules(module)
    if found is None:
        return None
    names, q_norm, k_norm = found
    q_name, k_name = names.split("/")

    def fold(w_q, w_k):
        # read at every call: the gains train with the weights
        if q_norm is not None:
            gain, centred = _gain_and_centering(q_norm, f"{name}.{q_name}")
            w_q = _fold(w_q, _per_head_rows(f"{name}.{q_name}", gain, centred, heads, head_dim), centred, head_dim)
        if k_norm is not None:
            gain, centred = _gain_and_centering(k_norm, f"{name}.{k_name}")
            w_k = _fold(w_k, _per_head_rows(f"{name}.{k_name}", gain, centred, kv_heads, head_dim), centred, head_dim)
        return w_q, w_k

    fold.names = names
    return fold
