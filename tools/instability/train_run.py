"""One run of the instability benchmark: a tiny real transformers model trained with the HF Trainer on bytes of
Python's own standard library, HeadgeoCallback publishing every N steps; writes the per-step loss to --losses.

The recipe of Wortsman et al. 2023 (arXiv 2309.14322) at small scale: AdamW beta (0.9, 0.95), eps 1e-8, weight decay
1e-4 / lr (independent of the rate), gradient clipping 1, 5 % linear warm-up then cosine, hidden 256, 4 heads,
sequence 128, batch 8, one thread. Variants: a family without QK-norm and its QK-norm twin.
"""

import argparse
import glob
import json
import logging
import math
import os
import sysconfig

import torch
import transformers
from headgeo.hf import HeadgeoCallback

SEQUENCE = 128


def model_for(family, qk_norm, layers):
    common = dict(
        vocab_size=256,
        hidden_size=256,
        num_attention_heads=4,
        num_key_value_heads=4,
        intermediate_size=512,
        max_position_embeddings=256,
        num_hidden_layers=layers,
    )
    if family == "llama":  # Llama without QK-norm; OLMo2 is Llama with it
        if qk_norm:
            return transformers.Olmo2ForCausalLM(transformers.Olmo2Config(**common))
        return transformers.LlamaForCausalLM(transformers.LlamaConfig(**common))
    if family == "stablelm":  # one class, QK-norm (per-head LayerNorm) a config switch
        return transformers.StableLmForCausalLM(transformers.StableLmConfig(qk_layernorm=qk_norm, **common))
    if family == "qwen":  # Qwen2 without, Qwen3 with QK-norm
        if qk_norm:
            return transformers.Qwen3ForCausalLM(transformers.Qwen3Config(head_dim=64, **common))
        return transformers.Qwen2ForCausalLM(transformers.Qwen2Config(**common))
    raise SystemExit(f"unknown family {family!r}: llama, stablelm or qwen")


class Bytes(torch.utils.data.Dataset):
    """Fixed windows of the standard library's source bytes (the same on every run)."""

    def __init__(self, size, seed):
        sources = sorted(glob.glob(os.path.join(sysconfig.get_paths()["stdlib"], "*.py")))[:80]
        data = torch.tensor(list(b"".join(open(f, "rb").read() for f in sources)), dtype=torch.long)
        starts = torch.randint(0, len(data) - SEQUENCE - 1, (size,), generator=torch.Generator().manual_seed(seed))
        self.ids = torch.stack([data[s : s + SEQUENCE] for s in starts])

    def __len__(self):
        return len(self.ids)

    def __getitem__(self, i):
        return {"input_ids": self.ids[i], "labels": self.ids[i]}


class Losses(transformers.TrainerCallback):
    def __init__(self):
        self.by_step = {}

    def on_log(self, args, state, control, logs=None, **kwargs):
        if logs and "loss" in logs:
            self.by_step[state.global_step] = logs["loss"]


def main():
    p = argparse.ArgumentParser()
    for name, kind in (
        ("--bootstrap-servers", str),
        ("--run-id", str),
        ("--family", str),
        ("--losses", str),
        ("--output-dir", str),
    ):
        p.add_argument(name, type=kind, required=True)
    p.add_argument("--qk-norm", action="store_true")
    p.add_argument("--learning-rate", type=float, required=True)
    p.add_argument("--steps", type=int, default=200)
    p.add_argument("--every", type=int, default=5)
    p.add_argument("--layers", type=int, default=2)
    a = p.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    torch.set_num_threads(1)
    torch.manual_seed(0)
    model = model_for(a.family, a.qk_norm, a.layers)
    optimizer = torch.optim.AdamW(
        model.parameters(), lr=a.learning_rate, betas=(0.9, 0.95), eps=1e-8, weight_decay=1e-4 / a.learning_rate
    )
    warm = max(1, a.steps // 20)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer,
        lambda s: (s + 1) / warm if s < warm else 0.5 * (1 + math.cos(math.pi * (s - warm) / max(1, a.steps - warm))),
    )
    args = transformers.TrainingArguments(
        output_dir=a.output_dir,
        max_steps=a.steps,
        per_device_train_batch_size=8,
        per_device_eval_batch_size=8,
        max_grad_norm=1.0,
        logging_steps=1,
        save_strategy="no",
        report_to=[],
        run_name=a.run_id,
        use_cpu=True,
        seed=0,
        dataloader_num_workers=0,
        disable_tqdm=True,
    )
    losses = Losses()
    callback = HeadgeoCallback(
        a.bootstrap_servers,
        run_id=a.run_id,
        every_n_steps=a.every,
        tags={"family": a.family, "qk_norm": str(a.qk_norm).lower(), "learning_rate": f"{a.learning_rate:g}"},
    )
    trainer = transformers.Trainer(
        model=model,
        args=args,
        train_dataset=Bytes(a.steps * 8, seed=1),
        eval_dataset=Bytes(8, seed=2),
        optimizers=(optimizer, schedule),
        callbacks=[callback, losses],
    )
    trainer.train()
    with open(a.losses, "w") as f:
        json.dump(
            {
                "run_id": a.run_id,
                "family": a.family,
                "qk_norm": a.qk_norm,
                "learning_rate": a.learning_rate,
                "loss": {str(k): v for k, v in sorted(losses.by_step.items())},
            },
            f,
        )


if __name__ == "__main__":
    main()
