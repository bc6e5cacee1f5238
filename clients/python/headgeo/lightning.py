"""headgeo in a Lightning ``Trainer``: one callback publishes the head geometry every N steps and at each
checkpoint save.

    from headgeo.lightning import HeadgeoCallback
    trainer = L.Trainer(callbacks=[ModelCheckpoint(every_n_train_steps=500),
                                   HeadgeoCallback("broker:9092", log_reports=True)])

* **When**: at each checkpoint Lightning saves (``on_save_checkpoint``; checkpoint = ``trainer.global_step``)
  unless ``on_checkpoint=False``, and every ``every_n_steps`` training steps when asked (then also checkpoint 0, the
  initial weights, at the start of training, which the first checkpoint's attention health is judged against); a step is
  published once even when both fall on it.
* **What is measured**: ``module`` (an attribute name of the LightningModule, or a function of it),
  else the LightningModule itself when its ``forward`` takes ``output_attentions``, else its largest
  child that has a ``config`` (the Hugging Face model it wraps).
* **What**: run id = ``run_id``, else the logger's name and version (``lightning_logs-v3``), else one of its own (the
module's class and the start time, said once); the model's name from its config;
  tags = the module's hyperparameters (``save_hyperparameters``) that are plain values, then ``tags``.
* **Probe batch**: ``probe_batch``, else the first examples of the validation (else training) dataset,
  collated as its data loader collates them; for an ``(inputs, targets)`` pair the inputs are used.
* **Distributed** (``strategy="ddp"``, FSDP2 through ``ModelParallelStrategy``): every rank runs the
  callback; rank 0 alone sends.
* **log_reports=True**: each report is logged through every logger of the Trainer
  (``logger.log_metrics(..., step=checkpoint)``: TensorBoard, W&B, MLflow, CSV ...); at the end of
  training the callback waits up to ``report_timeout`` seconds for the last reports.

Nothing here raises into the training loop (see :mod:`headgeo.training`).
"""

from __future__ import annotations

import inspect
import os
from collections.abc import Mapping
from typing import Any, Callable

try:
    from lightning.pytorch import Callback
except ImportError:  # the standalone package
    from pytorch_lightning import Callback

from headgeo.training import CheckpointPublisher, probe_from_dataloader


def measured_module(pl_module: Any, choice: str | Callable | None = None) -> Any:
    """The module whose attention is measured (see the module's docstring)."""
    if isinstance(choice, str):
        return getattr(pl_module, choice)
    if callable(choice):
        return choice(pl_module)
    try:
        if "output_attentions" in inspect.signature(pl_module.forward).parameters:
            return pl_module
    except (TypeError, ValueError):
        pass
    wrapped = [m for m in pl_module.children() if getattr(m, "config", None) is not None]
    if wrapped:
        return max(wrapped, key=lambda m: sum(p.numel() for p in m.parameters()))
    return pl_module


def _inputs(batch: Any) -> Any:
    """A probe from a training batch: a tensor or a dict as it is, the inputs of an (inputs, targets) pair."""
    if isinstance(batch, (list, tuple)) and batch:
        return batch[0]
    return batch


def hyperparameter_tags(pl_module: Any) -> dict[str, str]:
    """The module's hyperparameters that are plain values (str, int, float, bool), as tags, and the seed of
    seed_everything.
    """
    hparams = getattr(pl_module, "hparams", None) or {}
    tags = {str(k)[:64]: str(v)[:256] for k, v in dict(hparams).items() if isinstance(v, (str, int, float, bool))}
    if os.environ.get("PL_GLOBAL_SEED"):
        tags.setdefault("seed", os.environ["PL_GLOBAL_SEED"])
    return dict(list(tags.items())[:32])


def training_context(trainer: Any, outputs: Any) -> dict[str, float]:
    """The step's loss (what training_step returned, else a logged ``loss``/``train_loss``), the first optimizer's
    learning rate, and a gradient norm when one is logged (``grad_norm``, or Lightning's ``grad_2.0_norm_total``)."""
    out: dict[str, float] = {}
    loss = outputs.get("loss") if isinstance(outputs, dict) else outputs
    metrics = getattr(trainer, "callback_metrics", None) or {}
    for value in (loss, metrics.get("loss"), metrics.get("train_loss")):
        if value is not None and hasattr(value, "item") and getattr(value, "numel", lambda: 1)() == 1:
            out["loss"] = float(value.detach().item() if hasattr(value, "detach") else value.item())
            break
    try:
        out["learning_rate"] = float(trainer.optimizers[0].param_groups[0]["lr"])
    except (AttributeError, IndexError, KeyError, TypeError, ValueError):
        pass
    for key in ("grad_norm", "grad_2.0_norm_total"):
        value = metrics.get(key)
        if value is not None and hasattr(value, "item"):
            out["grad_norm"] = float(value.item())
            break
    return out


def _first(loaders: Any) -> Any:
    if loaders is None:
        return None
    if isinstance(loaders, (list, tuple)):
        return loaders[0] if loaders else None
    if isinstance(loaders, dict):
        return next(iter(loaders.values()), None)
    return loaders


_OWN = (
    "bootstrap_servers",
    "run_id",
    "probe_batch",
    "every_n_steps",
    "on_checkpoint",
    "tags",
    "log_reports",
    "report_timeout",
    "close_timeout",
    "module",
    "forward",
    "kafka_config",
)


class HeadgeoCallback(Callback):
    """Publishes the measured module's head geometry to headgeo at checkpoint saves and every N steps."""

    def __init__(
        self,
        bootstrap_servers: str,
        run_id: str | None = None,
        probe_batch: Any = None,
        every_n_steps: int | None = None,
        on_checkpoint: bool = True,
        tags: dict[str, str] | None = None,
        log_reports: bool = False,
        report_timeout: float = 60.0,
        close_timeout: float = 10.0,
        module: str | Callable | None = None,
        forward: Callable | None = None,
        kafka_config: Mapping[str, Any] | None = None,
        **producer_options,
    ):
        self.run_id = run_id
        self.on_checkpoint = on_checkpoint
        self.module = module
        self.publisher = CheckpointPublisher(
            bootstrap_servers,
            probe_batch=probe_batch,
            every_n_steps=every_n_steps,
            tags=tags,
            log_reports=log_reports,
            report_timeout=report_timeout,
            close_timeout=close_timeout,
            forward=forward,
            kafka_config=kafka_config,
            owner="HeadgeoCallback",
            own_keywords=_OWN,
            **producer_options,
        )

    def on_train_start(self, trainer, pl_module):
        target = measured_module(pl_module, self.module)
        self.publisher.start(
            self.run_id or self._logger_run_id(trainer),
            target,
            hyperparameter_tags(pl_module),
            default_name=type(pl_module).__name__,
        )
        self.publisher.set_default_probe(lambda: self._default_probe(trainer))
        if self.publisher.every_n_steps is not None and trainer.global_step == 0:
            # the initial weights: what the first checkpoint's attention health and drivers are judged against
            self.publisher.publish(target, 0)

    def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx):
        if self.publisher.due(trainer.global_step):
            self.publisher.publish(
                measured_module(pl_module, self.module), trainer.global_step, training_context(trainer, outputs)
            )
        self._log_reports(trainer)

    def on_save_checkpoint(self, trainer, pl_module, checkpoint):
        # called on every rank while the checkpoint is written: the weights measured are the ones saved
        if self.on_checkpoint:
            self.publisher.publish(
                measured_module(pl_module, self.module), trainer.global_step, training_context(trainer, None)
            )

    def on_train_end(self, trainer, pl_module):
        self.publisher.wait_for_reports()
        self._log_reports(trainer)
        self.publisher.close()

    def on_exception(self, trainer, pl_module, exception):
        self.publisher.close()

    @staticmethod
    def _logger_run_id(trainer) -> str | None:
        """The logger's name and version (``lightning_logs-v3``: no slash, safe in a URL path), None without a
        logger.
        """
        logger = trainer.logger
        if logger is not None and getattr(logger, "name", None):
            version = getattr(logger, "version", None)
            if version in (None, ""):
                return None  # a name alone is shared by every run that logs there
            return f"{logger.name}-v{version}" if isinstance(version, int) else f"{logger.name}-{version}"
        return None

    @staticmethod
    def _default_probe(trainer) -> Any:
        loader = _first(getattr(trainer, "val_dataloaders", None)) or _first(getattr(trainer, "train_dataloader", None))
        if loader is None:
            raise ValueError("no validation or training data loader")
        return _inputs(probe_from_dataloader(loader))

    def _log_reports(self, trainer) -> None:
        for checkpoint, scalars in self.publisher.reports():
            for logger in trainer.loggers:
                logger.log_metrics(scalars, step=checkpoint)
