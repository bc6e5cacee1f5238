"""A Lightning run with HeadgeoCallback (strategy="ddp" over 2 CPU processes when --devices 2).

After training, rank 0 loads every saved .ckpt into a fresh module, measures it on the callback's
probe batch, writes dump-N.json and prints one JSON line with the checkpoints and TensorBoard scalars.
"""

import glob
import json
import logging
import os
import re
import sys

import lightning as L
import torch
from lightning.pytorch.callbacks import ModelCheckpoint
from lightning.pytorch.loggers import TensorBoardLogger

sys.path.insert(0, os.path.dirname(__file__))
import tiny_data
from headgeo import models
from headgeo.lightning import HeadgeoCallback


class TinyLlamaModule(L.LightningModule):
    def __init__(self, learning_rate=1e-3, batch_size=4):
        super().__init__()
        self.save_hyperparameters()
        self.model = tiny_data.tiny_llama()

    def training_step(self, batch, batch_idx):
        return self.model(**batch).loss

    def validation_step(self, batch, batch_idx):
        self.log("val_loss", self.model(**batch).loss, sync_dist=True)

    def configure_optimizers(self):
        return torch.optim.AdamW(self.parameters(), lr=self.hparams.learning_rate)

    def train_dataloader(self):
        return torch.utils.data.DataLoader(
            tiny_data.RandomTokens(64, seed=1), batch_size=self.hparams.batch_size, shuffle=True
        )

    def val_dataloader(self):
        return torch.utils.data.DataLoader(tiny_data.RandomTokens(8, seed=2), batch_size=self.hparams.batch_size)


def main():
    a = tiny_data.arguments(("--devices", int, 1))
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    L.seed_everything(7, verbose=False)
    callback = HeadgeoCallback(a.bootstrap_servers, run_id=a.run_id, log_reports=True, report_timeout=60)
    trainer = L.Trainer(
        accelerator="cpu",
        devices=a.devices,
        strategy="ddp" if a.devices > 1 else "auto",
        max_steps=a.steps,
        logger=TensorBoardLogger(a.output_dir, name="tb"),
        enable_progress_bar=False,
        enable_model_summary=False,
        check_val_every_n_epoch=100,
        num_sanity_val_steps=0,
        callbacks=[
            ModelCheckpoint(
                dirpath=os.path.join(a.output_dir, "ckpt"), every_n_train_steps=10, save_top_k=-1, filename="{step}"
            ),
            callback,
        ],
    )
    module = TinyLlamaModule()
    trainer.fit(module)
    if trainer.global_rank != 0:
        return
    probe = callback.publisher.probe_batch
    checkpoints = []
    for path in glob.glob(os.path.join(a.output_dir, "ckpt", "*.ckpt")):
        step = int(re.search(r"step=(\d+)", path).group(1))
        saved = TinyLlamaModule.load_from_checkpoint(path, map_location="cpu")
        singular_values, entropies = models.measure(saved.model, probe)
        with open(os.path.join(a.output_dir, f"dump-{step}.json"), "w") as f:
            json.dump(models.dump(singular_values, entropies), f)
        checkpoints.append(step)
    scalars = tiny_data.tensorboard_scalars(os.path.join(a.output_dir, "tb"))
    print(json.dumps({"checkpoints": sorted(checkpoints), "tensorboard": scalars}), flush=True)


if __name__ == "__main__":
    main()
