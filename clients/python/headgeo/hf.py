"""headgeo in a Hugging Face ``Trainer``: one callback publishes the head geometry of every checkpoint it saves.

    from headgeo.hf import HeadgeoCallback
    trainer = Trainer(model=model, args=args, train_dataset=train, eval_dataset=evaluation,
                      callbacks=[HeadgeoCallback("broker:9092", log_reports=True)])

* **When**: at every checkpoint the Trainer saves (``on_save``; checkpoint = ``state.global_step``),
  and every ``every_n_steps`` steps when asked (then also checkpoint 0, the initial weights, at the start of training,
  so that the first checkpoint's attention health is judged against them).
* **What**: run id = ``run_id`` or ``args.run_name``; the model's name from its config; tags = the
  learning rate, global batch size and seed of ``TrainingArguments``, then the caller's ``tags``.
* **Probe batch**: ``probe_batch`` (a tensor or a dict of model inputs), else the first examples of
  the eval dataset (else the train dataset) collated by the Trainer's collator, taken once and
  fixed for the whole run. Encoder-decoder models get decoder inputs shifted from the labels.
* **Distributed** (torchrun, DDP, FSDP2): every rank runs the callback; rank 0 alone sends.
* **log_reports=True**: each checkpoint's report comes back into the Trainer's log stream at the
  checkpoint's step (``headgeo/mean_residual/last`` ... see :func:`headgeo.reports.report_scalars`),
  so TensorBoard, W&B and MLflow show it beside the loss; at the end of training the callback waits
  up to ``report_timeout`` seconds for the last reports.

Nothing here raises into the training loop (see :mod:`headgeo.training`). transformers is imported
by this module only.
"""
from __future__ import annotations

import copy
import logging
import sys
from typing import Any, Callable, Dict, Optional

from transformers import Trainer, TrainerCallback

from headgeo.training import CheckpointPublisher, probe_from_dataloader

log = logging.getLogger("headgeo")


def _calling_trainer(max_depth: int = 12) -> Optional[Trainer]:
    """The Trainer whose callback handler is calling us: callbacks are not given it, but its hooks run inside its methods."""
    frame = sys._getframe(2)
    for _ in range(max_depth):
        if frame is None:
            return None
        candidate = frame.f_locals.get("self")
        if isinstance(candidate, Trainer):
            return candidate
        frame = frame.f_back
    return None


def training_tags(args: Any) -> Dict[str, str]:
    """learning_rate, batch_size (per device x accumulation x processes) and seed of TrainingArguments."""
    world = max(int(getattr(args, "world_size", 1) or 1), 1)
    batch = args.per_device_train_batch_size * args.gradient_accumulation_steps * world
    return {"learning_rate": f"{args.learning_rate:g}", "batch_size": str(batch), "seed": str(args.seed)}


class HeadgeoCallback(TrainerCallback):
    """Publishes the model's head geometry to headgeo at each saved checkpoint (and every N steps when asked)."""

    def __init__(self, bootstrap_servers: str, run_id: Optional[str] = None, probe_batch: Any = None,
                 every_n_steps: Optional[int] = None, tags: Optional[Dict[str, str]] = None, log_reports: bool = False,
                 report_timeout: float = 60.0, close_timeout: float = 10.0, forward: Optional[Callable] = None, **producer_config):
        self.run_id = run_id
        self.publisher = CheckpointPublisher(bootstrap_servers, probe_batch=probe_batch, every_n_steps=every_n_steps, tags=tags,
                                             log_reports=log_reports, report_timeout=report_timeout, close_timeout=close_timeout,
                                             forward=forward,
                                             **producer_config)
        self._trainer: Optional[Trainer] = None

    # the Trainer's hooks ---------------------------------------------------------------------------------------

    def on_init_end(self, args, state, control, **kwargs):
        self._attach(_calling_trainer())

    def on_train_begin(self, args, state, control, model=None, train_dataloader=None, **kwargs):
        if self._trainer is None:
            self._attach(_calling_trainer())
        run_id = self.run_id or args.run_name or "run"
        self.publisher.start(run_id, model, training_tags(args))
        self.publisher.set_default_probe(lambda: self._default_probe(train_dataloader))
        if self.publisher.every_n_steps is not None and state.global_step == 0:
            # the initial weights: what the first checkpoint's attention health and drivers are judged against
            self.publisher.publish(model, 0)

    def on_step_end(self, args, state, control, model=None, **kwargs):
        if self.publisher.due(state.global_step):
            self.publisher.publish(model, state.global_step)
        self._log_reports(args, state, control)

    def on_save(self, args, state, control, model=None, **kwargs):
        # called after the checkpoint directory is written: the weights measured are the ones saved
        self.publisher.publish(model, state.global_step)
        self._log_reports(args, state, control)

    def on_train_end(self, args, state, control, **kwargs):
        self.publisher.wait_for_reports()
        self._log_reports(args, state, control)
        self.publisher.close()

    # helpers ---------------------------------------------------------------------------------------------

    def _attach(self, trainer: Optional[Trainer]) -> None:
        """Runs first among the Trainer's callbacks, so reports reach the reporting callbacks (TensorBoard closes its writer in its own on_train_end)."""
        if trainer is None or trainer is self._trainer:
            return
        self._trainer = trainer
        callbacks = trainer.callback_handler.callbacks
        if self in callbacks:
            callbacks.remove(self)
            callbacks.insert(0, self)

    def _default_probe(self, train_dataloader: Any) -> Any:
        trainer = self._trainer
        if trainer is not None and trainer.eval_dataset is not None:
            return probe_from_dataloader(trainer.get_eval_dataloader(), trainer.args.per_device_eval_batch_size)
        if train_dataloader is None:
            raise ValueError("neither an eval nor a train data loader")
        return probe_from_dataloader(train_dataloader)

    def _log_reports(self, args, state, control) -> None:
        reports = self.publisher.reports()
        if not reports:
            return
        if self._trainer is None:
            self.publisher.say_once("no-trainer", "headgeo: the Trainer calling this callback was not found; reports are not logged")
            return
        for checkpoint, scalars in reports:
            # at the checkpoint's step, through every reporting callback (TensorBoard, W&B, MLflow ...), as Trainer.log does
            at_checkpoint = copy.copy(state)
            at_checkpoint.global_step = checkpoint
            self._trainer.callback_handler.on_log(args, at_checkpoint, copy.copy(control), dict(scalars))
