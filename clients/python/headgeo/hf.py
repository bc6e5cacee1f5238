"""headgeo in a Hugging Face ``Trainer``: one callback publishes the head geometry of every checkpoint it saves.

    from headgeo.hf import HeadgeoCallback
    trainer = Trainer(model=model, args=args, train_dataset=train, eval_dataset=evaluation)
    HeadgeoCallback.attach(trainer, "broker:9092", log_reports=True)    # or callbacks=[HeadgeoCallback(...)]

* **When**: at every checkpoint the Trainer saves (``on_save``; checkpoint = ``state.global_step``),
  and every ``every_n_steps`` steps when asked (then also checkpoint 0, the initial weights, at the start of training,
  so that the first checkpoint's attention health is judged against them).
* **What**: run id = ``run_id``, else ``args.run_name``, else one of its own (the output directory's name and the start
  time, said once); the model's name from its config; tags = the learning rate, global batch size and seed of
  ``TrainingArguments``, then the caller's ``tags``.
* **Probe batch**: ``probe_batch`` (a tensor or a dict of model inputs), else the first examples of the eval data loader
  the Trainer hands to the callback (else the train one), collated as it collates them, taken once and fixed for the
  whole run. Encoder-decoder models get decoder inputs shifted from the labels.
* **Distributed** (torchrun, DDP, FSDP2): every rank runs the callback; ``state.is_world_process_zero`` alone sends.
* **log_reports=True** with :meth:`HeadgeoCallback.attach`: each checkpoint's report comes back through
  ``trainer.log`` at the checkpoint's step (``headgeo/mean_residual/last`` ... see
  :func:`headgeo.reports.report_scalars`),
  so ``state.log_history``, TensorBoard, W&B and MLflow have it beside the loss; at the last step the callback waits up
  to
  ``report_timeout`` seconds for the last reports. A callback given in ``callbacks=[...]`` has no Trainer to log
  through: it says so once and publishes as usual.

Nothing here raises into the training loop after construction (see :mod:`headgeo.training`); a misspelt keyword or an
invalid ``kafka_config`` raises at construction. transformers is imported by this module only.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, Callable

from transformers import Trainer, TrainerCallback

from headgeo.records import CONTEXT_KEYS
from headgeo.training import CheckpointPublisher, probe_from_dataloader

log = logging.getLogger("headgeo")

_OWN = (
    "bootstrap_servers",
    "run_id",
    "probe_batch",
    "every_n_steps",
    "tags",
    "log_reports",
    "report_timeout",
    "close_timeout",
    "forward",
    "kafka_config",
)


def training_tags(args: Any) -> dict[str, str]:
    """learning_rate, batch_size (per device x accumulation x processes) and seed of TrainingArguments."""
    world = max(int(getattr(args, "world_size", 1) or 1), 1)
    batch = args.per_device_train_batch_size * args.gradient_accumulation_steps * world
    return {"learning_rate": f"{args.learning_rate:g}", "batch_size": str(batch), "seed": str(args.seed)}


class HeadgeoCallback(TrainerCallback):
    """Publishes the model's head geometry to headgeo at each saved checkpoint (and every N steps when asked)."""

    def __init__(
        self,
        bootstrap_servers: str,
        run_id: str | None = None,
        probe_batch: Any = None,
        every_n_steps: int | None = None,
        tags: dict[str, str] | None = None,
        log_reports: bool = False,
        report_timeout: float = 60.0,
        close_timeout: float = 10.0,
        forward: Callable | None = None,
        kafka_config: Mapping[str, Any] | None = None,
        **producer_options,
    ):
        self.run_id = run_id
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
        self._trainer: Trainer | None = None
        #: loss, learning_rate and grad_norm as the Trainer last logged them (on_log)
        self._context: dict[str, float] = {}

    @classmethod
    def attach(cls, trainer: Trainer, bootstrap_servers: str, **keywords: Any) -> HeadgeoCallback:
        """A callback added to ``trainer`` (``trainer.add_callback``) that logs the reports back through
        ``trainer.log``.
        """
        callback = cls(bootstrap_servers, **keywords)
        callback._trainer = trainer
        trainer.add_callback(callback)
        return callback

    # the Trainer's hooks ---------------------------------------------------------------------------------------

    def on_train_begin(self, args, state, control, model=None, train_dataloader=None, eval_dataloader=None, **kwargs):
        self.publisher.start(self.run_id or args.run_name, model, training_tags(args), default_name=args.output_dir)
        self.publisher.set_default_probe(lambda: self._default_probe(eval_dataloader, train_dataloader))
        if self.publisher.every_n_steps is not None and state.global_step == 0:
            # the initial weights: what the first checkpoint's attention health and drivers are judged against
            self.publisher.publish(model, 0)

    def on_log(self, args, state, control, logs=None, **kwargs):
        # the Trainer's own figures of the latest logging step: what is sent with the next checkpoint
        for key in CONTEXT_KEYS:
            if logs and isinstance(logs.get(key), (int, float)) and not isinstance(logs.get(key), bool):
                self._context[key] = float(logs[key])

    def on_step_end(self, args, state, control, model=None, **kwargs):
        if self.publisher.due(state.global_step):
            self.publisher.publish(model, state.global_step, self._context)
        if state.global_step >= state.max_steps > 0:
            # the last step: its reports are logged while the Trainer's loggers are still open
            self.publisher.wait_for_reports()
        self._log_reports(state, control)

    def on_save(self, args, state, control, model=None, **kwargs):
        # called after the checkpoint directory is written: the weights measured are the ones saved
        self.publisher.publish(model, state.global_step, self._context)
        if state.global_step >= state.max_steps > 0:
            self.publisher.wait_for_reports()
        self._log_reports(state, control)

    def on_train_end(self, args, state, control, **kwargs):
        self.publisher.wait_for_reports()
        self._log_reports(state, control)
        self.publisher.close()

    # helpers ---------------------------------------------------------------------------------------------

    def _default_probe(self, eval_dataloader: Any, train_dataloader: Any) -> Any:
        trainer = self._trainer
        if trainer is not None and trainer.eval_dataset is not None:
            return probe_from_dataloader(trainer.get_eval_dataloader(), trainer.args.per_device_eval_batch_size)
        loader = eval_dataloader if eval_dataloader is not None else train_dataloader
        if loader is None:
            raise ValueError("neither an eval nor a train data loader")
        return probe_from_dataloader(loader)

    def _log_reports(self, state, control) -> None:
        reports = self.publisher.reports()
        if not reports:
            return
        if self._trainer is None:
            self.publisher.say_once(
                "no-trainer",
                "headgeo: reports are not logged: a callback given in callbacks=[...] has no "
                "Trainer to log through; use HeadgeoCallback.attach(trainer, ...)",
            )
            return
        # Trainer.log clears should_log (the handler's on_log does): on rank 0 alone that would skip the step's loss
        # all-reduce the other ranks enter. The flags the step decided are put back after the calls.
        flags = dict(vars(control))
        for checkpoint, scalars in reports:
            # Trainer.log records at state.global_step: the report's own step for the call, then the step training is at
            at = state.global_step
            state.global_step = checkpoint
            try:
                self._trainer.log(dict(scalars))
            finally:
                state.global_step = at
        for target in {id(control): control, id(self._trainer.control): self._trainer.control}.values():
            for name, value in flags.items():
                setattr(target, name, value)
