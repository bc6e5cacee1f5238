"""headgeo's client for training jobs: measure attention head geometry and publish it to headgeo.

    from headgeo import HeadgeoProducer, singular_values, measure

numpy is needed for everything, confluent-kafka for publishing, torch for the model helpers
(:func:`singular_values`, :func:`measure`, :func:`attention_blocks`), which are imported on first use.
"""

from headgeo.geometry import head_singular_values, mean_attention_entropy
from headgeo.producer import HeadgeoProducer, HeadgeoPublishError
from headgeo.records import layer_records
from headgeo.runs import load_runs
from headgeo.version import __version__

__all__ = [
    "HeadgeoProducer",
    "HeadgeoPublishError",
    "__version__",
    "attention_blocks",
    "dump",
    "head_singular_values",
    "layer_records",
    "load_runs",
    "mean_attention_entropy",
    "measure",
    "singular_values",
]


def __getattr__(name):
    # torch is optional: the model helpers load it only when asked for
    if name in ("singular_values", "attention_blocks"):
        from headgeo import layouts

        return getattr(layouts, name)
    if name in ("measure", "dump"):
        from headgeo import models

        return getattr(models, name)
    raise AttributeError(f"module 'headgeo' has no attribute {name!r}")
