#!/usr/bin/env python3
"""What measuring a checkpoint costs a training job, per attention layout and model size.

    PYTHONPATH=clients/python:clients/python/tests python3 tools/publish_cost.py

Builds attention stacks with Hugging Face's layouts (clients/python/tests/hf_like.py, random weights,
float32 as trained) and times headgeo.singular_values (weights only) and headgeo.measure (weights and one
probe forward pass with the model's own attention probabilities) on this machine: median of 5 after
one warm-up. Publishing itself is asynchronous (publish_model returns after handing the records to
librdkafka), so measure's time is what a training step waits.
"""

import statistics
import time

import headgeo
import hf_like
import torch

CASES = [
    # name, layout factory, layers, hidden, probe (batch, seq)
    ("GPT-2 small shape, c_attn", lambda: hf_like.GPT2Attention(768, 12), 12, 768, (4, 64)),
    ("Pythia-160M shape, query_key_value", lambda: hf_like.GPTNeoXAttention(768, 12, 0.25), 12, 768, (4, 64)),
    ("Llama GQA 2048 / 32 heads / 8 kv heads", lambda: hf_like.LlamaAttention(2048, 32, 8), 16, 2048, (1, 128)),
    ("T5-small shape, q/k", lambda: hf_like.T5Attention(512, 8, 64), 6, 512, (4, 64)),
]


def median_seconds(fn, repeats=5):
    fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main():
    torch.manual_seed(0)
    torch.set_num_threads(2)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads")
    for name, make, layers, hidden, (batch, seq) in CASES:
        model = hf_like.Stack(*[make() for _ in range(layers)])
        probe = torch.randn(batch, seq, hidden)
        sv = median_seconds(lambda model=model: headgeo.singular_values(model))
        full = median_seconds(lambda model=model, probe=probe: headgeo.measure(model, probe))
        print(
            f"{name}: {layers} layers, probe {batch}x{seq}: "
            f"singular_values {1000 * sv:.0f} ms, measure {1000 * full:.0f} ms"
        )


if __name__ == "__main__":
    main()
