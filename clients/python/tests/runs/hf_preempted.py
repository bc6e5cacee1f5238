"""A Hugging Face Trainer run (also under torchrun) that is preempted: it trains until it gets SIGTERM.

HeadgeoCallback publishes every 2 steps to --bootstrap-servers (an address nobody answers, as a broker away) with
--spool; after step 6 rank 0 prints "preempt me" and training goes on until the signal ends it.
"""

import logging
import os
import sys

import transformers

sys.path.insert(0, os.path.dirname(__file__))
import tiny_data
from headgeo.hf import HeadgeoCallback


class SayWhenPreemptible(transformers.TrainerCallback):
    def on_step_end(self, args, state, control, **kwargs):
        if state.global_step == 6 and state.is_world_process_zero:
            print("preempt me", flush=True)


def main():
    a = tiny_data.arguments(("--spool", str, None))
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    args = transformers.TrainingArguments(
        output_dir=a.output_dir,
        max_steps=100000,
        save_strategy="no",
        logging_steps=1000,
        per_device_train_batch_size=4,
        learning_rate=1e-3,
        seed=7,
        report_to=[],
        run_name=a.run_id,
        use_cpu=True,
        dataloader_num_workers=0,
        disable_tqdm=True,
    )
    trainer = transformers.Trainer(
        model=tiny_data.tiny_llama(),
        args=args,
        train_dataset=tiny_data.RandomTokens(64, seed=1),
        callbacks=[SayWhenPreemptible()],
    )
    HeadgeoCallback.attach(trainer, a.bootstrap_servers, every_n_steps=2, spool_dir=a.spool, close_timeout=1)
    trainer.train()


if __name__ == "__main__":
    main()
