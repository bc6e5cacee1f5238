"""The rules of a layer record (design §10), checked before anything is sent: a record that broke them
would be a dead letter. The tag limits are read from the layer record's Avro schema, where the processor
(Java) reads them too.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping, Sequence
from typing import Any

from headgeo.geometry import as_array


def _tags_field() -> dict[str, Any]:
    with open(os.path.join(os.path.dirname(__file__), "schemas", "layer_geometry.avsc"), encoding="utf-8") as f:
        schema = json.load(f)
    return next(field for field in schema["fields"] if field["name"] == "tags")


_TAGS_FIELD = _tags_field()
_LIMITS = _TAGS_FIELD["headgeo.limits"]
#: headgeo's rules for tags, from the schema's ``headgeo.limits``
MAX_TAGS: int = _LIMITS["max_entries"]
MAX_TAG_KEY: int = _LIMITS["max_key_length"]
MAX_TAG_VALUE: int = _LIMITS["max_value_length"]
#: the training context the callbacks send with a checkpoint as tags, from the schema's ``headgeo.context_keys``
#: (the processor keeps these, read as numbers, in each checkpoint's summary)
CONTEXT_KEYS: tuple = tuple(_TAGS_FIELD["headgeo.context_keys"])


def checked_tags(tags: Mapping[str, str] | None) -> dict[str, str]:
    """The tags as a dict of str to str, or a ValueError naming the first rule broken."""
    tags = {} if tags is None else dict(tags)
    if len(tags) > MAX_TAGS:
        raise ValueError(f"{len(tags)} tags, the limit is {MAX_TAGS}")
    out = {}
    for key, value in tags.items():
        if not isinstance(key, str) or not isinstance(value, str):
            raise ValueError(f"tag {key!r}={value!r}: keys and values must be strings")
        if not 1 <= len(key) <= MAX_TAG_KEY:
            raise ValueError(f"tag key {key!r} has {len(key)} characters, must be 1 to {MAX_TAG_KEY}")
        if len(value) > MAX_TAG_VALUE:
            raise ValueError(f"tag {key!r} has a value of {len(value)} characters, the limit is {MAX_TAG_VALUE}")
        if any(ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 for c in key + value):
            raise ValueError(f"tag {key!r}={value!r} contains control characters")
        out[key] = value
    return out


def layer_records(
    run_id: str,
    checkpoint: int,
    singular_values: Sequence[Sequence[Any]],
    entropies: Sequence[Any],
    model: str | None = None,
    emitted_at_ms: int | None = None,
    tags: Mapping[str, str] | None = None,
    max_logits: Sequence[Any] | None = None,
    probe_tokens: int | None = None,
    qk_norm: Sequence[bool] | None = None,
) -> list[dict[str, Any]]:
    """The JSON records of one checkpoint, one per layer, checked against headgeo's rules.

    singular_values: per layer, per head, a sequence of singular values (heads may differ in length).
    entropies: per layer, per head, the mean attention entropy (nats, >= 0).
    tags: run context (owner, learning rate, config) as str -> str, shown with the run's reports;
    records without tags have no ``tags`` field, so a processor of an earlier release reads them too.
    max_logits (layer record v3): per layer the largest pre-softmax logit of each head on the probe, or None for a
    layer where it was not read; probe_tokens: the probe's sequence length; qk_norm: per layer whether the block
    normalizes queries and keys. Each is written only when given, so records without them stay v1/v2.
    """
    if not run_id:
        raise ValueError("run_id must be a non-empty string")
    tags = checked_tags(tags)
    if int(checkpoint) < 0:
        raise ValueError("checkpoint must be >= 0")
    layers = [[as_array(s).ravel().tolist() for s in layer] for layer in singular_values]
    ents = [as_array(e).ravel().tolist() for e in entropies]
    if not layers:
        raise ValueError("no layers")
    if len(ents) != len(layers):
        raise ValueError(f"{len(layers)} layers of singular values but {len(ents)} of entropies")
    if max_logits is not None and len(max_logits) != len(layers):
        raise ValueError(f"{len(layers)} layers of singular values but {len(max_logits)} of max_logits")
    if probe_tokens is not None and int(probe_tokens) < 1:
        raise ValueError(f"probe_tokens must be >= 1, got {probe_tokens}")
    num_heads = len(layers[0])
    records = []
    for i, (heads, ent) in enumerate(zip(layers, ents)):
        if len(heads) != num_heads or len(ent) != num_heads:
            raise ValueError(f"layer {i}: {len(heads)} spectra and {len(ent)} entropies, expected {num_heads}")
        for h, s in enumerate(heads):
            if not s:
                raise ValueError(f"layer {i} head {h}: empty spectrum")
            if any(not math.isfinite(v) or v < 0 for v in s):
                raise ValueError(f"layer {i} head {h}: singular values must be finite and >= 0")
        if any(not math.isfinite(v) for v in ent):
            raise ValueError(f"layer {i}: entropies must be finite")
        if any(v < 0 for v in ent):
            raise ValueError(
                f"layer {i}: entropies must be >= 0 (an entropy in nats is never negative), got {min(ent)!r}"
            )
        records.append(
            {
                "run_id": run_id,
                "checkpoint": int(checkpoint),
                "layer": i,
                "num_layers": len(layers),
                "num_heads": num_heads,
                "metric_singvals_per_head": heads,
                "mean_attention_entropy_per_head": ent,
                "model": model,
                "emitted_at": emitted_at_ms,
            }
        )
        if tags:
            records[-1]["tags"] = tags
        if max_logits is not None and max_logits[i] is not None:
            logits = as_array(max_logits[i]).ravel().tolist()
            if len(logits) != num_heads or any(not math.isfinite(v) for v in logits):
                raise ValueError(f"layer {i}: max_logits must be {num_heads} finite numbers, got {logits!r}")
            records[-1]["max_attention_logit_per_head"] = logits
        if probe_tokens is not None:
            records[-1]["probe_tokens"] = int(probe_tokens)
        if qk_norm is not None and qk_norm[i]:
            records[-1]["qk_norm"] = True
    return records


def record_problem(record: Any) -> str | None:
    """What is wrong with one decoded JSON layer record by the rules :func:`layer_records` writes by, or None.

    Used on what comes back from a spool file, which anything may have written or cut short.
    """
    if not isinstance(record, dict):
        return "not a JSON object"
    for key in (
        "run_id",
        "checkpoint",
        "layer",
        "num_layers",
        "num_heads",
        "metric_singvals_per_head",
        "mean_attention_entropy_per_head",
    ):
        if key not in record:
            return f"no {key}"
    run_id, checkpoint, layer = record["run_id"], record["checkpoint"], record["layer"]
    num_layers, num_heads = record["num_layers"], record["num_heads"]
    if not isinstance(run_id, str) or not run_id:
        return "run_id must be a non-empty string"
    for name, value, low in (
        ("checkpoint", checkpoint, 0),
        ("num_layers", num_layers, 1),
        ("num_heads", num_heads, 1),
        ("layer", layer, 0),
    ):
        if not isinstance(value, int) or isinstance(value, bool) or value < low:
            return f"{name} must be an integer >= {low}, got {value!r}"
    if layer >= num_layers:
        return f"layer {layer} is not below num_layers {num_layers}"
    heads, entropies = record["metric_singvals_per_head"], record["mean_attention_entropy_per_head"]
    if not isinstance(heads, list) or len(heads) != num_heads:
        return f"metric_singvals_per_head must be {num_heads} lists"
    if not isinstance(entropies, list) or len(entropies) != num_heads:
        return f"mean_attention_entropy_per_head must be {num_heads} numbers"
    for h, values in enumerate(heads):
        if not isinstance(values, list) or not values or not all(_number(v) and v >= 0 for v in values):
            return f"metric_singvals_per_head[{h}] must be a non-empty list of finite numbers >= 0"
    if not all(_number(v) and v >= 0 for v in entropies):
        return "mean_attention_entropy_per_head must be finite numbers >= 0"
    logits = record.get("max_attention_logit_per_head")
    if logits is not None and (
        not isinstance(logits, list) or len(logits) != num_heads or not all(_number(v) for v in logits)
    ):
        return f"max_attention_logit_per_head must be {num_heads} finite numbers"
    tokens = record.get("probe_tokens")
    if tokens is not None and (not isinstance(tokens, int) or isinstance(tokens, bool) or tokens < 1):
        return f"probe_tokens must be an integer >= 1, got {tokens!r}"
    try:
        checked_tags(record.get("tags"))
    except ValueError as e:
        return str(e)
    return None


def _number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
