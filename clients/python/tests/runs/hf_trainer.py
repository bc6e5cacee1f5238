"""A Hugging Face Trainer run with HeadgeoCallback, as a researcher writes it (also under torchrun).

After training, rank 0 re-reads every saved checkpoint directory with from_pretrained, measures it
on the callback's probe batch and writes it as a dump (dump-N.json), reads the TensorBoard event
files, and prints one JSON line: {"checkpoints": [...], "tensorboard": {tag: {step: value}}, "probe": ...}.
"""

import glob
import json
import logging
import os
import sys

import transformers

sys.path.insert(0, os.path.dirname(__file__))
import tiny_data
from headgeo import distributed, models
from headgeo.hf import HeadgeoCallback


def main():
    a = tiny_data.arguments(("--save-steps", int, 10))
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    os.environ.setdefault("TENSORBOARD_LOGGING_DIR", os.path.join(a.output_dir, "tensorboard"))

    model = tiny_data.tiny_llama()
    args = transformers.TrainingArguments(
        output_dir=a.output_dir,
        max_steps=a.steps,
        save_strategy="steps",
        save_steps=a.save_steps,
        logging_steps=5,
        per_device_train_batch_size=4,
        per_device_eval_batch_size=4,
        learning_rate=1e-3,
        seed=7,
        report_to=["tensorboard"],
        run_name=a.run_id,
        use_cpu=True,
        dataloader_num_workers=0,
        disable_tqdm=True,
        save_only_model=True,
    )
    trainer = transformers.Trainer(
        model=model,
        args=args,
        train_dataset=tiny_data.RandomTokens(64, seed=1),
        eval_dataset=tiny_data.RandomTokens(8, seed=2),
    )
    callback = HeadgeoCallback.attach(
        trainer, a.bootstrap_servers, log_reports=True, report_timeout=60, tags={"owner": "it"}
    )
    trainer.train()
    if distributed.global_rank() != 0:
        return
    probe = callback.publisher.probe_batch
    checkpoints = []
    for directory in sorted(
        glob.glob(os.path.join(a.output_dir, "checkpoint-*")), key=lambda d: int(d.rsplit("-", 1)[1])
    ):
        step = int(directory.rsplit("-", 1)[1])
        saved = transformers.LlamaForCausalLM.from_pretrained(directory)
        singular_values, entropies = models.measure(saved, probe)
        with open(os.path.join(a.output_dir, f"dump-{step}.json"), "w") as f:
            json.dump(models.dump(singular_values, entropies), f)
        checkpoints.append(step)
    scalars = tiny_data.tensorboard_scalars(os.environ["TENSORBOARD_LOGGING_DIR"])
    print(
        json.dumps(
            {"checkpoints": checkpoints, "tensorboard": scalars, "probe_rows": int(probe["input_ids"].shape[0])}
        ),
        flush=True,
    )


if __name__ == "__main__":
    main()
