"""FSDP2 over the processes of a torchrun job (gloo): the sharded model's singular values and entropies equal the
unsharded copy's on every rank, and publish_model called by every rank sends one copy. One JSON line per rank."""

import argparse
import copy
import json
import os
import sys

import numpy as np
import torch
import torch.distributed as dist
import transformers
from torch.distributed.fsdp import fully_shard

sys.path.insert(0, os.path.dirname(__file__))
import headgeo
import tiny_data
from headgeo import HeadgeoProducer


def qwen3_with_trained_gains():
    torch.manual_seed(0)
    model = transformers.Qwen3ForCausalLM(
        transformers.Qwen3Config(
            hidden_size=32,
            num_attention_heads=4,
            num_key_value_heads=2,
            head_dim=8,
            num_hidden_layers=2,
            intermediate_size=64,
            vocab_size=tiny_data.VOCAB,
        )
    )
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "_norm." in name and ("q_norm" in name or "k_norm" in name):
                p.copy_(torch.rand(p.shape, generator=torch.Generator().manual_seed(len(name))) + 0.5)
    return model


def relative_difference(a, b):
    return max(
        float(np.max(np.abs(np.array(x) - np.array(y))) / np.max(np.abs(y)))
        for la, lb in zip(a, b)
        for x, y in zip(la, lb)
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bootstrap-servers", required=True)
    parser.add_argument("--run-id", required=True)
    a = parser.parse_args()
    dist.init_process_group("gloo")
    out = {"rank": dist.get_rank()}
    probe = tiny_data.RandomTokens(4, seed=2).ids
    for name, build in (("llama", tiny_data.tiny_llama), ("qwen3", qwen3_with_trained_gains)):
        model = build()
        plain = copy.deepcopy(model)
        for layer in model.model.layers:
            fully_shard(layer)
        fully_shard(model)
        assert headgeo.distributed.is_sharded(model)
        sv_sharded, ent_sharded = headgeo.measure(model, probe)
        sv_plain, ent_plain = headgeo.measure(plain, probe)
        out[name] = {
            "singular_values": relative_difference(sv_sharded, sv_plain),
            "entropies": float(np.max(np.abs(np.array(ent_sharded) - np.array(ent_plain)))),
        }
        if name == "llama":
            producer = HeadgeoProducer(a.bootstrap_servers)
            out["sent"] = producer.publish_model(a.run_id, 10, model, probe, block=True)
            out["undelivered"] = producer.close(10)
    # one write with its newline: both ranks share the launcher's stdout, and with unbuffered output print()'s two
    # writes let the other rank's line land between them
    sys.stdout.write(json.dumps(out) + "\n")
    sys.stdout.flush()
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
