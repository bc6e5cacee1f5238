"""Trains a small transformer on a synthetic task on CPU and publishes its head geometry to headgeo.

    pip install --no-build-isolation ./clients/python      # the headgeo client package (see its README)
    python3 examples/python/train_tiny_transformer.py --bootstrap-servers localhost:9092 --run tiny-1

4 layers x 4 heads, d_model 64, learning to reverse sequences of 10 tokens; every --every steps
the attention blocks are measured on a fixed probe batch and published without blocking the
training loop (a failed delivery is reported, training goes on). --attention gqa trains a
Llama-style model instead (q_proj/k_proj/v_proj/o_proj, 4 query heads sharing 2 key/value heads,
rotary position embeddings), whose attention probabilities come from the model itself
(output_attentions). --dump-dir also writes each checkpoint in the reference script's layout, for
`headgeo analyze`. Needs python3-torch, python3-numpy, python3-confluent-kafka (Debian). Prints a
progress line per checkpoint on stderr and one JSON line at the end; Ctrl-C stops at once.
"""

import argparse
import hashlib
import json
import math
import os
import sys
import time
import types

import torch
from torch import nn

try:
    import headgeo
except ImportError:
    # run from a clone without installing the client: take it from clients/python beside this example
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "clients", "python"))
    import headgeo

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


def rotary(x, base=10000.0):
    """Rotary position embedding of (batch, heads, seq, head_dim)."""
    d, seq = x.shape[-1], x.shape[-2]
    angles = torch.arange(seq, dtype=torch.float32)[:, None] * (
        1.0 / base ** (torch.arange(0, d, 2, dtype=torch.float32) / d)
    )
    cos, sin = torch.cat([angles.cos()] * 2, -1), torch.cat([angles.sin()] * 2, -1)
    return x * cos + torch.cat([-x[..., d // 2 :], x[..., : d // 2]], -1) * sin


class GqaAttention(nn.Module):
    """Llama's layout and names: q_proj/k_proj/v_proj/o_proj, heads and key/value heads in config, rotary."""

    def __init__(self, config):
        super().__init__()
        self.config = config
        d, h, kv = config.hidden_size, config.num_attention_heads, config.num_key_value_heads
        self.head_dim, self.num_key_value_groups = d // h, h // kv
        self.q_proj = nn.Linear(d, h * self.head_dim, bias=False)
        self.k_proj = nn.Linear(d, kv * self.head_dim, bias=False)
        self.v_proj = nn.Linear(d, kv * self.head_dim, bias=False)
        self.o_proj = nn.Linear(h * self.head_dim, d, bias=False)

    def forward(self, x, output_attentions=False):
        b, s, _ = x.shape

        def heads(t, n):
            return t.view(b, s, n, self.head_dim).transpose(1, 2)

        q = rotary(heads(self.q_proj(x), self.config.num_attention_heads))
        k = rotary(heads(self.k_proj(x), self.config.num_key_value_heads)).repeat_interleave(
            self.num_key_value_groups, 1
        )
        v = heads(self.v_proj(x), self.config.num_key_value_heads).repeat_interleave(self.num_key_value_groups, 1)
        p = (q @ k.transpose(-1, -2) / math.sqrt(self.head_dim)).softmax(-1)
        out = self.o_proj((p @ v).transpose(1, 2).reshape(b, s, -1))
        return out, (p if output_attentions else None)


class TinyGqa(nn.Module):
    def __init__(self, d_model=64, heads=4, kv_heads=2, layers=4):
        super().__init__()
        self.config = types.SimpleNamespace(
            model_type="llama",
            hidden_size=d_model,
            num_attention_heads=heads,
            num_key_value_heads=kv_heads,
            rope_theta=10000.0,
        )
        self.embed = nn.Embedding(VOCAB, d_model)
        self.attn = nn.ModuleList(GqaAttention(self.config) for _ in range(layers))
        self.mlp = nn.ModuleList(
            nn.Sequential(
                nn.LayerNorm(d_model), nn.Linear(d_model, 4 * d_model), nn.GELU(), nn.Linear(4 * d_model, d_model)
            )
            for _ in range(layers)
        )
        self.norm = nn.ModuleList(nn.LayerNorm(d_model) for _ in range(layers))
        self.out = nn.Linear(d_model, VOCAB)

    def forward(self, tokens, output_attentions=False):
        x = self.embed(tokens)
        for attn, norm, mlp in zip(self.attn, self.norm, self.mlp):
            x = x + attn(norm(x), output_attentions=output_attentions)[0]
            x = x + mlp(x)
        return self.out(x)


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
    ap.add_argument(
        "--no-publish", action="store_true", help="train only (to compare the parameters with a publishing run)"
    )
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument(
        "--attention",
        choices=["mha", "gqa"],
        default="mha",
        help="nn.TransformerEncoder (mha) or a Llama-style grouped-query model (gqa)",
    )
    args = ap.parse_args(argv)

    torch.manual_seed(args.seed)
    data = torch.Generator().manual_seed(args.seed + 1)
    probe, _ = batch(torch.Generator().manual_seed(args.seed + 2), 16)
    model = TinyTransformer() if args.attention == "mha" else TinyGqa()
    optimiser = torch.optim.Adam(model.parameters(), lr=2e-3)
    loss_fn = nn.CrossEntropyLoss()

    producer = None
    outcomes = []
    if not args.no_publish:
        producer = headgeo.HeadgeoProducer(
            args.bootstrap_servers,
            topic=args.topic,
            model=f"tiny-transformer-{args.attention}",
            tags={"lr": "2e-3", "seed": str(args.seed), "attention": args.attention, "steps": str(args.steps)},
        )
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
            singular_values, entropies = headgeo.measure(model, probe)
            producer.publish_checkpoint(
                args.run,
                step,
                singular_values,
                entropies,
                block=False,
                on_delivery=lambda run, cp, err: outcomes.append((cp, err)),
            )
            publish_seconds.append(time.perf_counter() - t0)
            if args.dump_dir:
                with open(os.path.join(args.dump_dir, f"{args.run}-{step}.json"), "w") as f:
                    json.dump(headgeo.dump(singular_values, entropies), f)
            print(
                f"step {step}: loss {loss.item():.3f}, "
                f"checkpoint measured in {1000 * publish_seconds[-1]:.0f} ms and handed to Kafka",
                file=sys.stderr,
                flush=True,
            )
    undelivered = producer.close(30) if producer is not None else 0
    failed = [(cp, err) for cp, err in outcomes if err is not None]
    for cp, err in failed:
        print(f"checkpoint {cp} not delivered: {err}", file=sys.stderr)
    print(
        json.dumps(
            {
                "run": args.run,
                "steps": args.steps,
                "final_loss": round(float(loss), 4),
                "checkpoints_published": len(publish_seconds),
                "delivered": sum(1 for _, err in outcomes if err is None),
                "failed": len(failed) + (1 if undelivered else 0),
                "publish_ms_mean": round(1000 * sum(publish_seconds) / len(publish_seconds), 2)
                if publish_seconds
                else None,
                "seconds": round(time.time() - started, 1),
                "params_sha256": params_sha256(model),
            }
        )
    )
    return 1 if failed or undelivered else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        sys.exit(130)
