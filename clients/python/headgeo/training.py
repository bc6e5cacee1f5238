"""What every framework callback shares: when to publish, on which rank, with which probe, and never breaking training.

:class:`CheckpointPublisher` is called by :mod:`headgeo.hf` and :mod:`headgeo.lightning` from the
framework's hooks, on every rank. It never raises into the training loop: a cause (Kafka down, a
layout headgeo cannot read, a full local queue) is logged once on the ``headgeo`` logger, training
goes on, and what could not be sent is counted and said in one line at the end.
"""

from __future__ import annotations

import difflib
import itertools
import logging
import os
import threading
import time
from collections.abc import Mapping
from typing import Any, Callable

from headgeo import distributed

log = logging.getLogger("headgeo")

#: examples in the default probe batch when the data loader does not say its batch size
DEFAULT_PROBE_SIZE = 8


def probe_from_dataloader(dataloader: Any, size: int | None = None) -> Any:
    """The first ``size`` examples of a data loader's dataset, collated as the loader collates them.

    Read from the dataset, not by iterating the loader: iterating would draw from the random
    generator (a shuffling sampler), enter collectives (accelerate's synchronised loaders) or leave a
    half-consumed iterator behind, any of which would change what training does next.
    """
    import torch

    dataset = dataloader.dataset
    size = size or getattr(dataloader, "batch_size", None) or DEFAULT_PROBE_SIZE
    with torch.random.fork_rng(devices=[]):
        if hasattr(dataset, "__len__") and hasattr(dataset, "__getitem__"):
            examples = [dataset[i] for i in range(min(size, len(dataset)))]
        else:
            examples = list(itertools.islice(iter(dataset), size))
    if not examples:
        raise ValueError("the data loader's dataset is empty")
    collate = getattr(dataloader, "collate_fn", None)
    if collate is None:
        from torch.utils.data import default_collate

        collate = default_collate
    return collate(examples)


def to_device(batch: Any, device: Any) -> Any:
    """Tensors in a batch (a tensor, a dict, a list or tuple of them) on ``device``."""
    if hasattr(batch, "to") and hasattr(batch, "dtype"):
        return batch.to(device)
    if isinstance(batch, Mapping):
        return {k: to_device(v, device) for k, v in batch.items()}
    if isinstance(batch, (list, tuple)):
        return type(batch)(to_device(v, device) for v in batch)
    return batch


def model_device(model: Any) -> Any:
    for p in model.parameters():
        local = getattr(p, "to_local", None)
        return local().device if local is not None else p.device
    return "cpu"


def detached(batch: Any) -> Any:
    """A copy of the batch's tensors that training cannot change in place."""
    if hasattr(batch, "detach") and hasattr(batch, "clone"):
        return batch.detach().clone()
    if isinstance(batch, Mapping):
        return {k: detached(v) for k, v in batch.items()}
    if isinstance(batch, (list, tuple)):
        return type(batch)(detached(v) for v in batch)
    return batch


#: HeadgeoProducer's own options a callback passes on (the rest of its keywords the publisher sets itself)
PRODUCER_OPTIONS = ("spool_dir", "delivery_timeout", "buffer_mb", "spool_file_mb")


def checked_options(owner: str, options: dict[str, Any], own: tuple[str, ...]) -> dict[str, Any]:
    """``options`` when each is one of :data:`PRODUCER_OPTIONS`; else a TypeError naming the first other, with the
    closest name.
    """
    for key in options:
        if key not in PRODUCER_OPTIONS:
            close = difflib.get_close_matches(key, list(own) + list(PRODUCER_OPTIONS), n=1, cutoff=0.6)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise TypeError(
                f"{owner}() got an unexpected keyword argument {key!r}{hint} "
                "(Kafka settings go in kafka_config={...})"
            )
    return dict(options)


def checked_kafka_config(kafka_config: Mapping[str, Any] | None) -> dict[str, Any]:
    """The librdkafka settings as a dict, or a ValueError naming the first one librdkafka refuses (checked without
    connecting).
    """
    config = dict(kafka_config or {})
    if not config:
        return config
    try:
        from confluent_kafka import KafkaException, Producer
    except ImportError:
        return config  # said once when the run starts, as without any setting
    try:
        from headgeo.logs import quiet_logger

        # a producer without brokers connects nowhere: it only parses the settings (its "no bootstrap.servers" notice is
        # muted)
        Producer(
            {
                **{k: v for k, v in config.items() if k != "bootstrap.servers"},
                "logger": quiet_logger("headgeo.librdkafka"),
            }
        )
    except KafkaException as e:
        raise ValueError(
            f"invalid Kafka setting in kafka_config: {e.args[0].str() if e.args and hasattr(e.args[0], 'str') else e}"
        ) from None
    return config


def default_run_id(name: str) -> str:
    """A run id of its own for a job that names none: the name (output directory, logger) and the start time, and the
    process.
    """
    base = os.path.basename(os.path.normpath(name)) if name else ""
    base = base if base and base not in (".", "/") else "run"
    return f"{base}-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}"


def model_name(model: Any) -> str:
    """The name a report shows for the model: its config's name or path (a pretrained model), else its class."""
    inner = distributed.unwrap(model)
    name = getattr(getattr(inner, "config", None), "name_or_path", None)
    return name if isinstance(name, str) and name else type(inner).__name__


class CheckpointPublisher:
    """Measures and publishes a model at chosen steps from any rank; only global rank 0 sends, nothing raises."""

    def __init__(
        self,
        bootstrap_servers: str,
        probe_batch: Any = None,
        every_n_steps: int | None = None,
        tags: dict[str, str] | None = None,
        log_reports: bool = False,
        report_timeout: float = 60.0,
        close_timeout: float = 10.0,
        forward: Callable | None = None,
        topic: str = "headgeo.layers",
        reports_topic: str = "headgeo.reports",
        kafka_config: Mapping[str, Any] | None = None,
        owner: str = "CheckpointPublisher",
        own_keywords: tuple[str, ...] = (),
        **producer_options,
    ):
        if every_n_steps is not None and every_n_steps < 1:
            raise ValueError(f"every_n_steps must be a positive number of steps, got {every_n_steps}")
        producer_options = checked_options(owner, producer_options, own_keywords)
        kafka_config = checked_kafka_config(kafka_config)
        self.bootstrap_servers = bootstrap_servers
        self.every_n_steps = every_n_steps
        self.user_tags = dict(tags or {})
        self.log_reports = log_reports
        self.report_timeout = report_timeout
        self.close_timeout = close_timeout
        self.forward = forward
        self.topic = topic
        self.reports_topic = reports_topic
        self.producer_config = {**producer_options, "kafka_config": kafka_config}
        self.probe_batch = detached(probe_batch) if probe_batch is not None else None
        self.run_id: str | None = None
        self._producer = None
        self._follower = None
        self._published: list[int] = []
        self._delivered_steps: list[int] = []
        self._seen_steps = set()
        self._failed: dict[int, str] = {}
        self._said = set()
        self._disabled: str | None = None
        self._closing = False
        self._lock = threading.Lock()

    # -- set-up ------------------------------------------------------------------------------------------

    def start(self, run_id: str | None, model: Any, tags: dict[str, str], default_name: str = "") -> None:
        """Called once training starts, on every rank: the run id (None: one of its own), the model's name and the
        framework's tags.

        Without a run id the job gets one of its own (:func:`default_run_id` of ``default_name``), said once: a shared
        fallback would make a second such job's checkpoints LATE dead letters of the first one's run.
        """
        if not run_id:
            run_id = default_run_id(default_name)
            if distributed.is_sender():
                log.warning("headgeo: this run is %s (no run_id or run name given: pass run_id= to choose one)", run_id)
        self.run_id = run_id
        if not distributed.is_sender():
            return
        try:
            from headgeo.producer import HeadgeoProducer

            all_tags = {**{k: str(v) for k, v in tags.items()}, **self.user_tags}
            self._producer = HeadgeoProducer(
                self.bootstrap_servers, topic=self.topic, model=model_name(model), tags=all_tags, **self.producer_config
            )
            if self.log_reports:
                from headgeo.reports import ReportFollower

                self._follower = ReportFollower(self.bootstrap_servers, run_id, topic=self.reports_topic)
        except Exception as e:
            self._disable(f"off for this run: {e}")

    def set_default_probe(self, make: Callable[[], Any]) -> None:
        """The probe batch when the user gave none, taken once (``make`` is called on every rank)."""
        if self.probe_batch is not None or self._disabled:
            return
        try:
            self.probe_batch = detached(make())
        except Exception as e:
            self.say_once(
                "probe",
                f"headgeo: no probe batch could be taken from the data ({e}); pass probe_batch= to the callback",
            )

    # -- at a step -----------------------------------------------------------------------------------------

    def due(self, step: int) -> bool:
        return self.every_n_steps is not None and step > 0 and step % self.every_n_steps == 0

    def publish(self, model: Any, step: int, context: Mapping[str, Any] | None = None) -> None:
        """Measures the model and publishes checkpoint ``step`` (once per step), on every rank; never raises.

        context: the training context the framework last saw (loss, learning rate, gradient norm), sent with it.
        """
        if self._disabled or step in self._seen_steps:
            return
        self._seen_steps.add(step)
        sender = distributed.is_sender()
        if not sender and not distributed.is_sharded(model):
            return  # a replicated model: rank 0 reads it alone, no collective needs this rank
        if self.probe_batch is None:
            self.say_once("probe", "headgeo: no probe batch (pass probe_batch= to the callback); nothing is published")
            return
        try:
            from headgeo.models import measure_attention

            probe = to_device(self.probe_batch, model_device(model))
            m = measure_attention(model, probe, forward=self.forward)
        except ValueError as e:
            # the model's layout: the same at every step, so said once and not tried again
            self._disable(f"cannot measure this model, nothing is published: {e}")
            return
        except Exception as e:
            self._fail(
                step, f"measure:{type(e).__name__}", f"measuring checkpoint {step} failed: {type(e).__name__}: {e}"
            )
            return
        if not sender or self._producer is None:
            return
        try:
            self._producer.publish_checkpoint(
                self.run_id,
                step,
                m.singular_values,
                m.entropies,
                block=False,
                on_delivery=self._delivered,
                max_logits=m.max_logits,
                probe_tokens=m.probe_tokens,
                qk_norm=m.qk_norm,
                context=context,
            )
        except Exception as e:
            self._fail(step, f"publish:{type(e).__name__}", f"publishing checkpoint {step} failed: {e}")
            return
        with self._lock:
            self._published.append(step)
        if self._follower is not None:
            self._follower.await_checkpoint(step)

    def reports(self) -> list[tuple[int, dict[str, float]]]:
        """(checkpoint, scalars) of reports that came back since the last call; empty on ranks other than 0."""
        if self._follower is None:
            return []
        from headgeo.reports import report_scalars

        return [(checkpoint, report_scalars(report)) for checkpoint, report in self._follower.take()]

    # -- at the end ------------------------------------------------------------------------------------------

    def wait_for_reports(self) -> None:
        """Rank 0 with log_reports: waits up to report_timeout for the reports of every published checkpoint."""
        if self._follower is None:
            return
        from headgeo.reports import awaited_reports_line

        started = time.monotonic()
        deadline = started + self.report_timeout
        # a report can only come for a checkpoint Kafka took: the deliveries first, and none awaited when Kafka is away
        while time.monotonic() < deadline:
            with self._lock:
                undecided = [c for c in self._published if c not in self._delivered_steps and c not in self._failed]
                delivered_any = bool(self._delivered_steps)
            if not undecided:
                break
            producer = self._producer
            if (
                not delivered_any
                and producer is not None
                and producer._kafka_down()
                and time.monotonic() - started > self.UNREACHABLE_WAIT
            ):
                break
            time.sleep(0.1)
        with self._lock:
            delivered = list(self._delivered_steps)
        self._follower.only(delivered)
        if not delivered:
            return  # close() says in one line what was not sent, and why
        outstanding = self._follower.wait(max(0.0, deadline - time.monotonic()))
        line = awaited_reports_line(outstanding, self.run_id, self.report_timeout)
        if line:
            log.warning(line)

    #: seconds the end of a job waits for a first delivery while every broker is unreachable
    UNREACHABLE_WAIT = 3.0

    def close(self) -> None:
        """Delivers what is in flight (at most close_timeout seconds) and says in one line what was not sent."""
        if self._follower is not None:
            self._follower.close()
            self._follower = None
        if self._producer is None:
            return
        producer, self._producer = self._producer, None
        self._closing = True  # what fails now is in the one summary line below
        try:
            producer.close(self.close_timeout, say=False)
        except Exception as e:
            self.say_once("close", f"headgeo: closing the producer failed: {e}")
        with self._lock:
            published = list(self._published)
            failed = dict(self._failed)
            pending = [c for c in published if c not in self._delivered_steps and c not in failed]
        if failed or pending:
            lost = sorted(set(failed) | set(pending))
            log.warning(
                "headgeo: %d of %d checkpoints of %s not sent to Kafka at %s (%s)%s",
                len(lost),
                len(published) + len([c for c in failed if c not in published]),
                self.run_id,
                self.bootstrap_servers,
                ", ".join(map(str, lost[:10])),
                "" if not failed else f"; first cause: {next(iter(failed.values()))}",
            )

    def _delivered(self, run_id: str, checkpoint: int, error: str | None) -> None:
        with self._lock:
            if error is None:
                self._delivered_steps.append(checkpoint)
            else:
                self._failed[checkpoint] = error
        if error is not None and not self._closing:
            self.say_once(
                f"delivery:{error.split(':')[0]}",
                f"headgeo: checkpoint {checkpoint} of {run_id} not delivered: {error}",
            )

    # -- saying things once ---------------------------------------------------------------------------------

    def say_once(self, cause: str, message: str) -> None:
        """Logs ``message`` on the headgeo logger the first time ``cause`` comes up."""
        if cause not in self._said:
            self._said.add(cause)
            log.warning(message)

    def _fail(self, step: int, cause: str, message: str) -> None:
        with self._lock:
            self._failed[step] = message
        self.say_once(cause, f"headgeo: {message}")

    def _disable(self, message: str) -> None:
        self._disabled = message
        self.say_once("disabled", f"headgeo: {message}")
