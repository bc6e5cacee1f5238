"""The geometry headgeo analyses, measured from weights and attention probabilities (numpy only).

Inputs may be plain lists, numpy arrays or torch tensors.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def as_array(x: Any) -> np.ndarray:
    """numpy view of a list, numpy array or torch tensor, as float64."""
    if hasattr(x, "detach"):
        x = x.detach().cpu().numpy()
    return np.asarray(x, dtype=np.float64)


def head_singular_values(w_q: Any, w_k: Any, num_heads: int) -> list[list[float]]:
    """Per-head singular values of W_Q^h W_K^h^T, without forming the d_model x d_model matrix.

    w_q, w_k: query and key projection weights in torch.nn.Linear layout (out_features, in_features),
    head h owning output rows h*d_head:(h+1)*d_head; their in_features may differ (keys of another
    width). With thin QR factorisations Q_h = U1 R1 and K_h = U2 R2 (in_features x d_head each), Q_h K_h^T = U1 (R1
    R2^T) U2^T, so its singular values are
    those of the d_head x d_head matrix R1 R2^T. Returns num_heads lists, largest first.
    """
    wq = as_array(w_q)
    wk = as_array(w_k)
    if wq.ndim != 2 or wk.ndim != 2 or wq.shape[0] != wk.shape[0] or wq.shape[0] % num_heads:
        raise ValueError(
            f"w_q {wq.shape} and w_k {wk.shape} must be 2-D with equal row counts divisible by {num_heads}"
        )
    d_head = wq.shape[0] // num_heads
    out = []
    for h in range(num_heads):
        rows = slice(h * d_head, (h + 1) * d_head)
        r1 = np.linalg.qr(wq[rows].T, mode="r")
        r2 = np.linalg.qr(wk[rows].T, mode="r")
        out.append(np.linalg.svd(r1 @ r2.T, compute_uv=False).tolist())
    return out


def mean_attention_entropy(attention_probs: Any, eps: float = 1e-12) -> list[float]:
    """Per-head mean entropy (nats) of attention distributions shaped (batch, heads, queries, keys)."""
    p = as_array(attention_probs)
    if p.ndim != 4:
        raise ValueError(f"attention probabilities must be (batch, heads, queries, keys), got {p.shape}")
    entropy = -(p * np.log(p + eps)).sum(axis=-1)
    # a one-hot row gives -log(1 + eps) < 0: an entropy is never negative, and the processor refuses negative ones
    return np.maximum(entropy.mean(axis=(0, 2)), 0.0).tolist()
