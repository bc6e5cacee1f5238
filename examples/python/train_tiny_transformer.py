"""Trains a small transformer on a synthetic task on CPU and publishes its head geometry to headgeo.

    python3 examples/python/train_tiny_transformer.py --bootstrap-servers localhost:9092 --run tiny-1

4 layers x 4 heads, d_model 64, learning to reverse sequences of 10 tokens; every --every steps
the attention blocks are measured on a fixed probe batch and published without blocking the
training loop (a failed delivery is reported, training goes on). --dump-dir also writes each
checkpoint in the reference script's layout, for `headgeo analyze`. Needs python3-torch,
python3-numpy, python3-confluent-kafka (Debian). Prints one JSON line at the end.
"""
import argparse
import hashlib
import json
import os
import sys
import time

import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import headgeo_torch  # noqa: E402

VOCAB, SEQ = 16, 10


class TinyTransformer(nn.Module):
    def __init__(self, d_model=64, heads=4, layers=4):
        super().__init__()
        self.embed = nn.Embedding(VOCAB, d_model)
        self.position = nn.Parameter(torch.randn(SEQ, d_model) * 0.1)
        layer = nn.TransformerEncoderLayer(d_model, heads, dim_feedforward=4 * d_model, dropout=0.1, batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, layers)
        self.out = nn.Linear(d_model, VOCAB)

    def forward(self, tokens):
        return self.out(self.encoder(self.embed(tokens) + self.position))


def batch(generator, size):
    x = torch.randint(0, VOCAB, (size, SEQ), generator=generator)
    return x, x.flip(1)


def params_sha256(model):
    h = hashlib.sha256()
    for name, p in sorted(model.state_dict().items()):
        h.update(name.encode())
        h.update(p.detach().cpu().contiguous().numpy().tobytes())
    return h.hexdigest()


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bootstrap-servers", default="localhost:9092")
    ap.add_argument("--topic", default="headgeo.layers")
    ap.add_argument("--run", default="tiny-transformer")
    ap.add_argument("--steps", type=int, default=200)
    ap.add_argument("--every", type=int, default=50, help="publish every N steps")
    ap.add_argument("--dump-dir", help="also write each checkpoint's dump here (reference script layout)")
    ap.add_argument("--no-publish", action="store_true", help="train only (to compare the parameters with a publishing run)")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)

    torch.manual_seed(args.seed)
    data = torch.Generator().manual_seed(args.seed + 1)
    probe, _ = batch(torch.Generator().manual_seed(args.seed + 2), 16)
    model = TinyTransformer()
    optimiser = torch.optim.Adam(model.parameters(), lr=2e-3)
    loss_fn = nn.CrossEntropyLoss()

    producer = None
    outcomes = []
    if not args.no_publish:
        from headgeo_producer import HeadgeoProducer
        producer = HeadgeoProducer(args.bootstrap_servers, topic=args.topic, model="tiny-transformer")
    if args.dump_dir:
        os.makedirs(args.dump_dir, exist_ok=True)

    publish_seconds = []
    started = time.time()
    loss = None
    for step in range(1, args.steps + 1):
        model.train()
        x, y = batch(data, 32)
        loss = loss_fn(model(x).reshape(-1, VOCAB), y.reshape(-1))
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        if producer is not None and step % args.every == 0:
            t0 = time.perf_counter()
            singular_values, entropies = headgeo_torch.measure(model, probe)
            producer.publish_checkpoint(args.run, step, singular_values, entropies, block=False,
                                        on_delivery=lambda run, cp, err: outcomes.append((cp, err)))
            publish_seconds.append(time.perf_counter() - t0)
            if args.dump_dir:
                with open(os.path.join(args.dump_dir, f"{args.run}-{step}.json"), "w") as f:
                    json.dump(headgeo_torch.dump(singular_values, entropies), f)
    undelivered = producer.close(30) if producer is not None else 0
    failed = [(cp, err) for cp, err in outcomes if err is not None]
    for cp, err in failed:
        print(f"checkpoint {cp} not delivered: {err}", file=sys.stderr)
    print(json.dumps({
        "run": args.run,
        "steps": args.steps,
        "final_loss": round(float(loss), 4),
        "checkpoints_published": len(publish_seconds),
        "delivered": sum(1 for _, err in outcomes if err is None),
        "failed": len(failed) + (1 if undelivered else 0),
        "publish_ms_mean": round(1000 * sum(publish_seconds) / len(publish_seconds), 2) if publish_seconds else None,
        "seconds": round(time.time() - started, 1),
        "params_sha256": params_sha256(model),
    }))
    return 1 if failed or undelivered else 0


if __name__ == "__main__":
    sys.exit(main())
