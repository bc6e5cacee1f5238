"""Publish per-layer attention head geometry from a training job to headgeo.

At each checkpoint, a training loop calls :meth:`HeadgeoProducer.publish_checkpoint` with the
per-layer, per-head singular values of the attention metric and the per-head mean attention
entropies. Each layer becomes one JSON record on ``headgeo.layers`` keyed by ``run_id``
(the layer record rules of the README); headgeo gathers them, analyzes the checkpoint and publishes a report.

    from headgeo import HeadgeoProducer, head_singular_values, mean_attention_entropy

    producer = HeadgeoProducer("broker:9092", model="my-transformer", tags={"owner": "ana", "lr": "3e-4"})
    sv = [head_singular_values(blk.attn.q_proj.weight, blk.attn.k_proj.weight, num_heads) for blk in model.blocks]
    ent = [mean_attention_entropy(probs) for probs in attention_probs_per_layer]   # from a forward pass
    producer.publish_checkpoint("run-42", step, sv, ent)

Where the projections are fused, slice them first: ``torch.nn.MultiheadAttention`` keeps
``in_proj_weight`` as [W_Q; W_K; W_V] (rows 0:d, d:2d), so pass ``w[:d]`` and ``w[d:2*d]``;
Hugging Face GPT-2 keeps ``c_attn.weight`` as (d_model, 3*d_model) columns, so pass
``w[:, :d].T`` and ``w[:, d:2*d].T``. A common scale (such as 1/sqrt(d_head)) changes every
singular value alike and none of headgeo's verdicts.

The measurements are :mod:`headgeo.geometry`'s and the record rules :mod:`headgeo.records`'; this module
only sends. Only numpy is needed for the helpers and confluent-kafka for publishing (Debian:
python3-numpy, python3-confluent-kafka).
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from typing import Any, Callable, Optional

from headgeo import distributed
from headgeo.logs import quiet_logger
from headgeo.records import checked_tags, layer_records
from headgeo.spool import Spool
from headgeo.version import __version__

# on every record, so that the processor can say which client (and version) a run's records come from
PRODUCER_HEADER = ("headgeo.producer", f"headgeo-python/{__version__}".encode("ascii"))

#: called with (run_id, checkpoint, None or a one-line cause) once a checkpoint is delivered or given up
OnDelivery = Callable[[str, int, Optional[str]], None]


def with_context(tags: Mapping[str, str], context: Mapping[str, Any] | None) -> dict[str, str]:
    """The producer's tags and a checkpoint's training context (numbers in Python's shortest round-trip form); a
    ValueError when together they break the tag rules."""
    out = dict(tags)
    for key, value in context.items():
        if value is None:
            continue
        if hasattr(value, "item"):
            value = value.item()  # a 0-d tensor or numpy scalar
        out[str(key)] = (
            repr(float(value)) if isinstance(value, (int, float)) and not isinstance(value, bool) else str(value)
        )
    return checked_tags(out)


def encode_records(records: list[dict], value_format: str = "json") -> list[bytes]:
    """The wire form of :func:`headgeo.records.layer_records`' records, one value per layer: compact JSON, or with
    ``value_format="avro"`` Avro single-object encoding (:mod:`headgeo.avro_layers`, needs fastavro)."""
    if value_format == "avro":
        return _avro_layers().encode(records)
    return [json.dumps(r, separators=(",", ":"), allow_nan=False).encode("utf-8") for r in records]


_AVRO = None
VALUE_FORMATS = ("json", "avro")


def _avro_layers():
    """The one Avro encoder, made on first use (it parses the schemas; fastavro missing is an ImportError here)."""
    global _AVRO
    if _AVRO is None:
        from headgeo.avro_layers import AvroLayers

        _AVRO = AvroLayers()
    return _AVRO


class HeadgeoPublishError(RuntimeError):
    """A checkpoint was not (wholly) delivered; the message carries librdkafka's cause."""


class HeadgeoProducer:
    """Publishes checkpoints to headgeo with an idempotent confluent-kafka producer (acks=all).

    A training loop must never be stuck on an outage: ``publish_checkpoint(..., block=False)`` (and
    ``publish_model``, non-blocking by default) return at once and report the outcome to
    ``on_delivery(run_id, checkpoint, error)`` from a background thread, ``error`` being None or a
    one-line cause. ``block=True`` waits up to ``timeout`` and raises :class:`HeadgeoPublishError`.

    ``value_format="avro"`` writes the records in Avro single-object encoding (needs fastavro): 2.5 times fewer bytes
    and a fifth of the encoding time of JSON, read by processors that know the schema versions written (1 without
    tags, 2 with, 3 with attention-health fields); JSON, the default, is read by every release.

    Through an outage the records wait in memory (at most ``buffer_mb``) and go out when Kafka answers
    again, for up to ``delivery_timeout`` seconds (15 minutes by default). With ``spool_dir``, what would
    be given up (the time is over, the buffer is full, or :meth:`close` came first) is kept there as files
    instead, and sent when Kafka answers again, by this producer or the next one given the same directory.
    A checkpoint given up is said in one line on the ``headgeo`` logger (further ones in the same outage
    are counted and said once Kafka answers again, or at close).
    """

    #: seconds with every broker down after which a blocking publish gives up, instead of its whole timeout
    UNREACHABLE_AFTER = 5.0

    def __init__(
        self,
        bootstrap_servers: str,
        topic: str = "headgeo.layers",
        model: str | None = None,
        delivery_timeout: float = 900.0,
        tags: dict | None = None,
        spool_dir: str | None = None,
        buffer_mb: int = 256,
        spool_file_mb: int = 64,
        kafka_config: dict | None = None,
        value_format: str = "json",
        **config: Any,
    ) -> None:
        import collections
        import threading

        from confluent_kafka import KafkaException, Producer

        if value_format not in VALUE_FORMATS:
            raise ValueError(f"value_format must be one of {', '.join(VALUE_FORMATS)}, got {value_format!r}")
        if value_format == "avro":
            _avro_layers()  # fastavro missing is said here, not at the first checkpoint
        self._value_format = value_format
        self._topic = topic
        self._model = model
        self._tags = checked_tags(tags)
        self._bootstrap_servers = bootstrap_servers
        # librdkafka's own reports (connection refused, authentication failed), the cause of a failure
        self._client_errors = collections.deque(maxlen=5)
        self._all_down_at = None
        # librdkafka's log lines go to a logger of their own (quiet unless the application configures it),
        # not straight to stderr: what matters reaches the caller as one line in HeadgeoPublishError
        librdkafka_log = quiet_logger("headgeo.librdkafka")
        settings = {**(kafka_config or {}), **config}
        try:
            self._producer = Producer(
                {
                    "bootstrap.servers": bootstrap_servers,
                    # the same partition for a run_id as Java's producers and Kafka Streams compute (murmur2);
                    # librdkafka's default (consistent_random, CRC32) would put a run elsewhere
                    "partitioner": "murmur2_random",
                    "enable.idempotence": True,
                    "acks": "all",
                    "message.timeout.ms": int(delivery_timeout * 1000),
                    # what waits for Kafka is bounded; beyond it a checkpoint goes to the spool (or is given up)
                    "queue.buffering.max.kbytes": int(buffer_mb * 1024),
                    "error_cb": self._client_error,
                    "logger": librdkafka_log,
                    **settings,
                }
            )
        except KafkaException as e:
            raise ValueError(
                f"invalid Kafka setting: {e.args[0].str() if e.args and hasattr(e.args[0], 'str') else e}"
            ) from None
        # records handed to librdkafka and not yet delivered or failed, per (run, checkpoint)
        self._open = {}
        self._open_lock = threading.Lock()
        # checkpoints Kafka took whole, so that the end of the process says only what it did not
        self._delivered = set()
        self._told = set()
        self._callback_failures = set()
        self._closed = threading.Event()
        self._delivery_timeout = delivery_timeout
        self._buffer_mb = buffer_mb
        self._spool = Spool(spool_dir, max_file_mb=spool_file_mb) if spool_dir else None
        # checkpoints given up in the current outage, said once when it ends (or at close)
        self._given_up: list[str] = []
        self._resending = threading.Lock()
        self._closing = False
        self._poller = threading.Thread(target=self._poll_loop, name="headgeo-producer-poll", daemon=True)
        self._poller.start()
        if self._spool is not None:
            self._spool.take_back_stale_claims()
            if self._spool.waiting():
                threading.Thread(target=self._resend_spooled, name="headgeo-producer-spool", daemon=True).start()
        self._install_exit_hooks()

    def _client_error(self, err):
        from confluent_kafka import KafkaError

        self._client_errors.append(str(err))
        if err.code() == KafkaError._ALL_BROKERS_DOWN:
            self._all_down_at = time.monotonic()

    def _poll_loop(self):
        while not self._closed.is_set():
            self._producer.poll(0.1)

    def _cause(self, delivery_errors):
        from confluent_kafka import KafkaError

        first = delivery_errors[:1]
        if first and hasattr(first[0], "code") and first[0].code() in self._purged_codes():
            first = [f"close() came before Kafka at {self._bootstrap_servers} took it"]
        elif first and hasattr(first[0], "code") and first[0].code() == KafkaError._MSG_TIMED_OUT:
            first = [f"no answer within delivery_timeout={self._delivery_timeout:g} s"]
        parts = [str(e) for e in first] + list(self._client_errors)[-1:]
        return "; ".join(parts) if parts else "no answer from Kafka"

    @staticmethod
    def _purged_codes():
        from confluent_kafka import KafkaError

        return (KafkaError._PURGE_QUEUE, KafkaError._PURGE_INFLIGHT)

    def publish_checkpoint(
        self,
        run_id: str,
        checkpoint: int,
        singular_values: Any,
        entropies: Any,
        timeout: float = 30.0,
        block: bool = True,
        on_delivery: OnDelivery | None = None,
        max_logits: Any = None,
        probe_tokens: int | None = None,
        qk_norm: Any = None,
        context: Mapping[str, Any] | None = None,
    ) -> int:
        """Publishes every layer of a checkpoint; returns how many records were sent.

        block=True waits until Kafka has them all (at most ``timeout`` seconds) or raises
        HeadgeoPublishError; block=False returns at once and calls ``on_delivery`` later.
        max_logits, probe_tokens, qk_norm: the attention-health fields of :func:`headgeo.records.layer_records`.
        context: the training context of this checkpoint (``loss``, ``learning_rate``, ``grad_norm``: numbers, or any
        str -> value), sent as tags beside the producer's and read back as the report's tags (design §15).
        """
        values = encode_records(
            layer_records(
                run_id,
                checkpoint,
                singular_values,
                entropies,
                self._model,
                int(time.time() * 1000),
                self._tags_with(context),
                max_logits=max_logits,
                probe_tokens=probe_tokens,
                qk_norm=qk_norm,
            ),
            self._value_format,
        )
        return self.publish_values(run_id, checkpoint, values, timeout=timeout, block=block, on_delivery=on_delivery)

    def _tags_with(self, context: Mapping[str, Any] | None) -> dict[str, str]:
        """The producer's tags with a checkpoint's training context; without the context, said once, when together
        they break the tag rules (the context must not cost the checkpoint)."""
        if not context:
            return self._tags
        try:
            return with_context(self._tags, context)
        except ValueError as e:
            if "context" not in self._callback_failures:
                self._callback_failures.add("context")
                log_warning(f"headgeo: the training context is left out of the records: {e} (said once)")
            return self._tags

    def publish_values(
        self,
        run_id: str,
        checkpoint: int,
        values: list[bytes],
        timeout: float = 30.0,
        block: bool = True,
        on_delivery: OnDelivery | None = None,
    ) -> int:
        """Publishes one checkpoint's layer records already encoded (:func:`encode_records`, or Avro single-object
        bytes of a layer schema); the same delivery, spool and blocking rules as :meth:`publish_checkpoint`.

        For records prepared before a time-critical moment (a load test's burst); the values are sent as they are. The
        spool keeps JSON and the Avro values this client writes (``value_format="avro"``); other bytes are given up as
        without a spool.
        """
        import threading

        if not distributed.is_sender():
            return 0  # one copy per job: global rank 0 sends it
        errors = []
        pending = [len(values)]
        lock = threading.Lock()
        done = threading.Event()
        with self._open_lock:
            self._open[(run_id, checkpoint)] = self._open.get((run_id, checkpoint), 0) + len(values)

        spooled: list[bytes] = []

        def finish_one(err, value=None):
            with lock:
                kept = (
                    self._spoolable(value)
                    if err is not None and self._spool is not None and value is not None and self._for_later(err)
                    else None
                )
                if kept is not None:
                    spooled.append(kept)
                elif err is not None:
                    errors.append(err)
                pending[0] -= 1
                last = pending[0] == 0
            with self._open_lock:
                left = self._open.get((run_id, checkpoint), 1) - 1
                if left > 0:
                    self._open[(run_id, checkpoint)] = left
                else:
                    self._open.pop((run_id, checkpoint), None)
            if last:
                if spooled:
                    self._keep(run_id, checkpoint, spooled)
                elif errors:
                    self._give_up(run_id, checkpoint, self._cause(errors))
                else:
                    self._delivered.add((run_id, checkpoint))
                    self._answered_again()
                done.set()
                if on_delivery is not None:
                    outcome = (
                        None
                        if not errors and not spooled
                        else self._cause(errors)
                        if errors
                        else f"kept in {self._spool.directory} until Kafka answers"
                    )
                    try:
                        on_delivery(run_id, checkpoint, outcome)
                    except Exception as e:
                        if "on_delivery" not in self._callback_failures:
                            self._callback_failures.add("on_delivery")
                            log_warning(f"headgeo: the on_delivery callback raised {type(e).__name__}: {e} (said once)")

        for value in values:
            try:
                self._producer.produce(
                    self._topic,
                    key=run_id.encode("utf-8"),
                    value=value,
                    headers=[PRODUCER_HEADER],
                    on_delivery=lambda err, msg: finish_one(err, msg.value() if msg is not None else None),
                )
            except BufferError:
                finish_one(
                    f"the producer's buffer of buffer_mb={self._buffer_mb} MB is full "
                    "(Kafka unreachable, or slower than the job sends)",
                    value,
                )
        if block:
            started = time.monotonic()
            while not done.wait(0.1):
                waited = time.monotonic() - started
                down = self._all_down_at is not None and self._all_down_at >= started - self.UNREACHABLE_AFTER
                if down and waited >= self.UNREACHABLE_AFTER and pending[0] == len(values):
                    self._told.add((run_id, checkpoint))
                    raise HeadgeoPublishError(
                        f"headgeo: Kafka at {self._bootstrap_servers} unreachable for {waited:.0f} s, "
                        f"nothing of {run_id}@{checkpoint} delivered: {self._cause(errors)}"
                    )
                if waited >= timeout:
                    self._told.add((run_id, checkpoint))
                    raise HeadgeoPublishError(
                        f"headgeo: {pending[0]} of {len(values)} records of {run_id}@{checkpoint} "
                        f"not delivered within {timeout:g} s: {self._cause(errors)}"
                    )
            if errors:
                raise HeadgeoPublishError(
                    f"headgeo: {len(errors)} of {len(values)} records of {run_id}@{checkpoint} "
                    f"failed: {self._cause(errors)}"
                )
        return len(values)

    @staticmethod
    def _spoolable(value: bytes) -> bytes | None:
        """The value as the spool keeps it (JSON lines: an Avro value this client wrote is turned back into JSON); None
        for a value it cannot keep, which is then given up as without a spool."""
        if value[:1] == b"{":
            return value
        try:
            return _AVRO.to_json(value) if _AVRO is not None else None
        except Exception:
            return None

    def publish_model(
        self,
        run_id: str,
        step: int,
        model: Any,
        probe_batch: Any,
        forward: Callable | None = None,
        causal: bool | None = None,
        block: bool = False,
        **kwargs: Any,
    ) -> int:
        """Measures a torch model's head geometry on a probe batch (:func:`headgeo.measure`) and publishes it.

        Non-blocking by default; takes publish_checkpoint's timeout, block and on_delivery. Under
        torch.distributed every rank may call it: a sharded (FSDP2) model is gathered block by block with
        every rank taking part, and only global rank 0 sends (the others return 0).
        """
        from headgeo.models import measure_attention

        if not distributed.is_sender() and not distributed.is_sharded(model):
            return 0  # a replicated model is read by rank 0 alone; a sharded one needs every rank for the gathers
        m = measure_attention(model, probe_batch, forward=forward, causal=causal)
        return self.publish_checkpoint(
            run_id,
            step,
            m.singular_values,
            m.entropies,
            block=block,
            max_logits=m.max_logits,
            probe_tokens=m.probe_tokens,
            qk_norm=m.qk_norm,
            **kwargs,
        )

    def close(self, timeout: float = 30.0, say: bool = True) -> int:
        """Waits up to ``timeout`` for what is still in flight; returns how many records were left undelivered.

        What is left fails at once (``on_delivery`` hears it: librdkafka would fail it only after the delivery
        time-out, when a short job has long gone) and, unless ``say=False``, one line on the ``headgeo``
        logger names the checkpoints.
        """
        import logging

        if self._closed.is_set():
            return 0
        deadline = time.monotonic() + timeout
        if self._spool is not None and self._spool.waiting() and not self._kafka_down():
            # what earlier jobs (or this one) kept goes out too, within the same time
            self._resend_spooled(deadline)
        remaining = self._producer.flush(max(0.0, deadline - time.monotonic()))
        if remaining:
            with self._open_lock:
                lost = sorted(self._open)
            self._closing = True  # what the purge fails is said below, in one line, not one per checkpoint
            self._producer.purge(in_queue=True, in_flight=True, blocking=False)
            self._producer.flush(1.0)  # serves the purged records' delivery reports (into the spool, when there is one)
            if say and self._spool is not None:
                shown = ", ".join(f"{run}@{cp}" for run, cp in lost[:10]) + (" ..." if len(lost) > 10 else "")
                logging.getLogger("headgeo").warning(
                    "headgeo: %d checkpoint(s) not yet taken by Kafka at %s kept in %s: %s; a "
                    "producer with spool_dir=%s sends them",
                    len(lost),
                    self._bootstrap_servers,
                    self._spool.directory,
                    shown,
                    self._spool.directory,
                )
            elif say:
                shown = ", ".join(f"{run}@{cp}" for run, cp in lost[:10]) + (" ..." if len(lost) > 10 else "")
                cause = list(self._client_errors)[-1:] or ["no answer from Kafka"]
                logging.getLogger("headgeo").warning(
                    "headgeo: %d records of %d checkpoint(s) not delivered to Kafka at %s before close(): %s (%s)",
                    remaining,
                    len(lost),
                    self._bootstrap_servers,
                    shown,
                    cause[0],
                )
        if say and self._given_up:
            self._say_given_up()
        self._closed.set()
        self._poller.join(1.0)
        return remaining

    # -- the end of the process: a signal, or the interpreter exiting without close() ----------------------------

    def _kafka_down(self) -> bool:
        """Every broker was unreachable within the last half minute."""
        return self._all_down_at is not None and time.monotonic() - self._all_down_at < 30

    def _install_exit_hooks(self) -> None:
        """close() at interpreter exit; at SIGTERM / SIGINT keep what is undelivered, say it in one line, then the
        earlier handler.
        """
        import atexit
        import signal
        import threading
        import weakref

        me = weakref.ref(self)
        atexit.register(lambda: me() is not None and me()._at_exit())
        if threading.current_thread() is not threading.main_thread():
            return  # handlers can only be set from the main thread; atexit still keeps what it can
        for sig in (signal.SIGTERM, signal.SIGINT):
            try:
                previous = signal.getsignal(sig)
                signal.signal(sig, lambda number, frame, previous=previous: _on_signal(me, number, frame, previous))
            except (ValueError, OSError):
                pass

    def _at_exit(self) -> None:
        if not self._closed.is_set():
            self._keep_for_exit("exit without close()")

    #: seconds a signal or the interpreter's exit gives Kafka before what is left goes to the spool (or is said lost)
    EXIT_TIMEOUT = 2.0

    def _keep_for_exit(self, cause: str) -> None:
        import logging

        with self._open_lock:
            checkpoints = sorted(self._open)
        if self._closed.is_set():
            return
        self.close(self.EXIT_TIMEOUT, say=False)
        # a blocking publish that raised has told its caller already
        left = [c for c in checkpoints if c not in self._delivered and c not in self._told]
        if not left:
            return
        shown = ", ".join(f"{run}@{cp}" for run, cp in left[:10]) + (" ..." if len(left) > 10 else "")
        if self._spool is not None:
            logging.getLogger("headgeo").warning(
                "headgeo: %s: %d checkpoint(s) not yet delivered to Kafka at %s kept in %s: %s; a "
                "producer with spool_dir=%s sends them",
                cause,
                len(left),
                self._bootstrap_servers,
                self._spool.directory,
                shown,
                self._spool.directory,
            )
        else:
            logging.getLogger("headgeo").warning(
                "headgeo: %s: %d checkpoint(s) not delivered to Kafka at %s are lost: %s "
                "(spool_dir= keeps them through a signal)",
                cause,
                len(left),
                self._bootstrap_servers,
                shown,
            )

    # -- outages -------------------------------------------------------------------------------------------------

    @staticmethod
    def _for_later(err: Any) -> bool:
        """Whether a failed record is worth sending again later: Kafka did not take it in time, or close() came
        first.
        """
        from confluent_kafka import KafkaError

        if isinstance(err, str):
            return True  # the buffer was full
        return err.code() in (KafkaError._MSG_TIMED_OUT, KafkaError._PURGE_QUEUE, KafkaError._PURGE_INFLIGHT)

    def _keep(self, run_id: str, checkpoint: int, values: list[bytes]) -> None:
        try:
            self._spool.keep(run_id, checkpoint, values)
        except OSError as e:
            self._give_up(run_id, checkpoint, f"not delivered and not kept in {self._spool.directory}: {e}")

    def _give_up(self, run_id: str, checkpoint: int, cause: str) -> None:
        import logging

        if self._closing:
            return
        with self._open_lock:
            first = not self._given_up
            self._given_up.append(f"{run_id}@{checkpoint}")
        if first:
            logging.getLogger("headgeo").warning(
                "headgeo: checkpoint %s@%s given up, not delivered to Kafka at %s: %s (further ones are counted until "
                "Kafka answers again; spool_dir= keeps them instead)",
                run_id,
                checkpoint,
                self._bootstrap_servers,
                cause,
            )

    def _answered_again(self) -> None:
        if self._given_up:
            self._say_given_up()
        if self._spool is not None and self._spool.waiting() and not self._closed.is_set():
            import threading

            threading.Thread(target=self._resend_spooled, name="headgeo-producer-spool", daemon=True).start()

    def _say_given_up(self) -> None:
        import logging

        with self._open_lock:
            given_up, self._given_up = self._given_up, []
        if len(given_up) > 1:
            shown = ", ".join(given_up[:10]) + (" ..." if len(given_up) > 10 else "")
            logging.getLogger("headgeo").warning(
                "headgeo: %d checkpoints given up in all during the outage: %s", len(given_up), shown
            )

    def _resend_spooled(self, deadline: float | None = None) -> None:
        """Sends the kept checkpoints again, oldest first, each claimed by this producer alone; never raises.

        A claimed file is released when the last of its records is reported (delivered: gone; failed or purged by
        close(): kept again), whoever serves that report; a file that is not a checkpoint is moved aside with one line
        naming it and the others are sent. ``deadline`` (time.monotonic()) bounds the pass, as close() needs.
        """

        if deadline is None:
            if not self._resending.acquire(blocking=False):
                return  # one pass at a time
        elif not self._resending.acquire(timeout=max(0.0, deadline - time.monotonic())):
            return
        try:
            while not self._closed.is_set() and (deadline is None or time.monotonic() < deadline):
                claimed = self._spool.claim()
                if claimed is None:
                    return
                try:
                    run_id, checkpoint, values = self._spool.check(claimed)
                except (OSError, ValueError) as e:
                    self._spool.reject(claimed, str(e))
                    continue
                done = self._send_claimed(claimed, run_id, checkpoint, values)
                while not done.wait(0.2):
                    if self._closed.is_set() or (deadline is not None and time.monotonic() >= deadline):
                        return
        except Exception as e:
            log_warning(f"headgeo: sending the spool in {self._spool.directory} stopped: {type(e).__name__}: {e}")
        finally:
            self._resending.release()

    def _send_claimed(self, claimed: str, run_id: str, checkpoint: int, values: list[bytes]):
        """Produces a claimed file's records; the returned event is set once all are reported and the claim released."""
        import threading

        failed: list[bytes] = []
        done = threading.Event()
        pending = [len(values)]
        lock = threading.Lock()

        def finish(err, value):
            with lock:
                if err is not None:
                    failed.append(value)
                pending[0] -= 1
                last = pending[0] == 0
            if last:
                try:
                    self._spool.release(claimed, failed, run_id, checkpoint)
                except OSError as e:
                    log_warning(f"headgeo: spool file {claimed} could not be updated after sending: {e}")
                done.set()

        for value in values:
            try:
                self._producer.produce(
                    self._topic,
                    key=run_id.encode("utf-8"),
                    value=value,
                    headers=[PRODUCER_HEADER],
                    on_delivery=lambda err, msg, v=value: finish(err, v),
                )
            except BufferError:
                finish("buffer full", value)
        return done


def _on_signal(producer_ref, number, frame, previous) -> None:
    """Keeps (or counts) what the producer has not delivered, then does what the process would have done without it."""
    import os
    import signal
    import threading

    producer = producer_ref()
    if producer is not None and not producer._closed.is_set():
        # in a thread of its own, bounded: the signal may have come while the main thread held one of the producer's
        # locks
        worker = threading.Thread(
            target=producer._keep_for_exit, args=(signal.Signals(number).name,), name="headgeo-exit", daemon=True
        )
        worker.start()
        worker.join(HeadgeoProducer.EXIT_TIMEOUT + 3.0)
    if callable(previous):
        previous(number, frame)
    elif previous == signal.SIG_IGN:
        return
    else:
        # the default action (or a handler set outside Python): end the process as that signal would have
        signal.signal(number, signal.SIG_DFL)
        os.kill(os.getpid(), number)


def log_warning(message: str) -> None:
    import logging

    logging.getLogger("headgeo").warning("%s", message)
