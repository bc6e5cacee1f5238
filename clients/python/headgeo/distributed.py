"""What a distributed training job (torchrun, DDP, FSDP) changes for headgeo: who sends, and how weights are read.

Every rank may call :func:`headgeo.singular_values`, :func:`headgeo.measure`, ``publish_model`` and the
framework callbacks. Two rules make that safe:

* **Sharded parameters are gathered by every rank, one attention block at a time.** FSDP2
  (``torch.distributed.fsdp.fully_shard``) turns parameters into ``DTensor`` shards; reading one
  is an all-gather, a collective that every rank must enter in the same order. The helpers walk
  the blocks in module order on every rank, so the collectives match, and hold one block's
  query/key weights at a time, so memory stays bounded by one block.
* **Only global rank 0 sends.** The other ranks measure only where the gather needs them (a
  sharded model); a replicated model (DDP, or no process group) is measured by rank 0 alone.

Not supported: FSDP1 (``FullyShardedDataParallel``) and DeepSpeed ZeRO-3, which could not be run
where headgeo is tested; :func:`full` refuses a ``FlatParameter`` or a ZeRO-3 partition handed to it.
"""

from __future__ import annotations

import os
import sys
from typing import Any


def _torch_distributed():
    """torch.distributed when a process group is up, else None (torch is never imported here)."""
    torch = sys.modules.get("torch")
    if torch is None:
        return None
    dist = getattr(torch, "distributed", None)
    if dist is None or not dist.is_available() or not dist.is_initialized():
        return None
    return dist


def global_rank() -> int:
    """This process's global rank: the process group's, else torchrun's ``RANK``, else 0."""
    dist = _torch_distributed()
    if dist is not None:
        return dist.get_rank()
    try:
        return int(os.environ.get("RANK", "0"))
    except ValueError:
        return 0


def is_sender() -> bool:
    """True on the one process of a job that publishes (global rank 0)."""
    return global_rank() == 0


def _is_dtensor(t: Any) -> bool:
    return type(t).__name__ == "DTensor" or (hasattr(t, "full_tensor") and hasattr(t, "placements"))


def _is_flat_or_partitioned(t: Any) -> bool:
    # FSDP1's FlatParameter, DeepSpeed ZeRO-3's partitioned parameters (ds_id / ds_status)
    return type(t).__name__ == "FlatParameter" or hasattr(t, "ds_id")


def is_sharded(model: Any) -> bool:
    """True when reading the model's weights takes a collective (some parameter is a DTensor shard)."""
    parameters = getattr(model, "parameters", None)
    if parameters is None:
        return False
    return any(_is_dtensor(p) for p in parameters())


def full(t: Any, name: str = "parameter"):
    """The whole tensor: a DTensor is all-gathered (every rank must call this in the same order); others as they are."""
    if _is_dtensor(t):
        return t.full_tensor()
    if _is_flat_or_partitioned(t):
        raise ValueError(
            f"{name}: a sharded parameter headgeo cannot gather ({type(t).__name__}: FSDP1 flat parameters and "
            "DeepSpeed ZeRO-3 partitions are not read; FSDP2's fully_shard is)"
        )
    return t


def unwrap(model: Any) -> Any:
    """The module inside DistributedDataParallel (whose forward would enter collectives), else the model itself."""
    inner = getattr(model, "module", None)
    if inner is not None and type(model).__name__ in ("DistributedDataParallel", "DataParallel"):
        return inner
    return model
