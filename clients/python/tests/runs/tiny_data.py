"""Shared by the framework runs: a tiny Llama, token datasets that are the same in every process, their options and
the headgeo scalars of TensorBoard event files."""

import argparse
import glob
import os

import torch

VOCAB = 97


def tiny_llama():
    import transformers

    torch.manual_seed(0)
    config = transformers.LlamaConfig(
        hidden_size=32,
        num_attention_heads=4,
        num_key_value_heads=2,
        num_hidden_layers=3,
        intermediate_size=64,
        vocab_size=VOCAB,
        max_position_embeddings=64,
    )
    return transformers.LlamaForCausalLM(config)


class RandomTokens(torch.utils.data.Dataset):
    """Fixed random token sequences (a generator of its own: the same on every rank, no draw from the global one)."""

    def __init__(self, size, length=16, seed=0):
        self.ids = torch.randint(0, VOCAB, (size, length), generator=torch.Generator().manual_seed(seed))

    def __len__(self):
        return len(self.ids)

    def __getitem__(self, i):
        return {"input_ids": self.ids[i], "labels": self.ids[i]}


def arguments(*extra):
    """--bootstrap-servers, --run-id, --output-dir, --steps and the run's own (name, type, default) options."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--bootstrap-servers", required=True)
    parser.add_argument("--run-id", required=True)
    parser.add_argument("--output-dir", required=True)
    parser.add_argument("--steps", type=int, default=30)
    for name, kind, default in extra:
        parser.add_argument(name, type=kind, default=default)
    return parser.parse_args()


def tensorboard_scalars(directory):
    """{tag: {step: value}} of every scalar whose tag contains headgeo/ in the event files below ``directory``."""
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    scalars = {}
    for events in glob.glob(os.path.join(directory, "**", "events.out.tfevents.*"), recursive=True):
        accumulator = EventAccumulator(events)
        accumulator.Reload()
        for tag in accumulator.Tags()["scalars"]:
            if "headgeo/" in tag:
                for e in accumulator.Scalars(tag):
                    scalars.setdefault(tag, {})[str(e.step)] = e.value
    return scalars
