"""headgeo's reports, read back into a training job: the scalars a tracker shows beside the loss.

:class:`ReportFollower` reads ``headgeo.reports`` in a background thread (no consumer group: it
commits nothing and leaves no trace on the cluster), keeps the reports of one run's checkpoints
that this job published, and hands them to the framework callback, which logs
:func:`report_scalars` through the framework's own loggers (TensorBoard, W&B, MLflow ...).

Reports arrive as Avro single-object encoding (the processor's default) or as JSON
(``--output-format json``); Avro is decoded with the schemas shipped in this package, chosen by
the fingerprint in each record (fastavro computes Avro's parsing canonical form and CRC-64-AVRO).
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import os
import threading
import time
import uuid
from collections.abc import Iterable

log = logging.getLogger("headgeo")

#: verdicts as numbers a chart can plot; higher is worse (the numbering of the Prometheus gauge headgeo_run_verdict too)
VERDICT_VALUES = {"SUPPORTED": 0, "PARTIALLY_SUPPORTED": 1, "REJECTED": 2}
#: attention health as numbers, as the gauge headgeo_attention_health has them
HEALTH_VALUES = {"STABLE": 0, "GROWING": 1, "COLLAPSED": 2}

_SCHEMA_FILES = ("checkpoint_report.avsc", "checkpoint_report-v2.avsc", "checkpoint_report-v1.avsc")
_AVRO_MAGIC = b"\xc3\x01"


def report_scalars(report: dict) -> dict[str, float]:
    """``headgeo/mean_residual/{last,middle,best}``, ``headgeo/verdict/{...}`` (0 supported, 1 partially, 2 rejected),
    ``headgeo/max_residual/{...}``, ``headgeo/shape_invariance``, ``headgeo/corr_opnorm_entropy`` and, from a report
    of version 3, ``headgeo/health`` (0 stable, 1 growing, 2 collapsed), ``headgeo/min_entropy``, ``headgeo/max_sigma``
    and ``headgeo/max_logit`` (when the logits were sent) of a report (what is null in it is left out); an INCOMPLETE
    report gives ``headgeo/incomplete`` = 1 only."""
    if report.get("status") != "COMPLETE":
        return {"headgeo/incomplete": 1.0}
    out = {}
    for fit in report.get("fits") or []:
        anchor = str(fit["anchor"]).lower()
        for key in ("mean_residual", "max_residual"):
            if fit.get(key) is not None:
                out[f"headgeo/{key}/{anchor}"] = float(fit[key])
        if fit.get("verdict") in VERDICT_VALUES:
            out[f"headgeo/verdict/{anchor}"] = float(VERDICT_VALUES[fit["verdict"]])
    shape = report.get("shape_invariance") or {}
    if shape.get("mean") is not None:
        out["headgeo/shape_invariance"] = float(shape["mean"])
    if report.get("corr_opnorm_entropy") is not None:
        out["headgeo/corr_opnorm_entropy"] = float(report["corr_opnorm_entropy"])
    health = report.get("attention_health") or {}
    if health.get("state") in HEALTH_VALUES:
        out["headgeo/health"] = float(HEALTH_VALUES[health["state"]])
        for key, name in (("min_entropy", "min_entropy"), ("max_sigma", "max_sigma"), ("max_logit", "max_logit")):
            if health.get(key) is not None:
                out[f"headgeo/{name}"] = float(health[key])
    return out


class ReportDecoder:
    """Decodes a report value, Avro single-object encoded or JSON; ValueError for anything else.

    ``fields``: only these top-level fields (Avro skips the rest unread: a report of 32 x 32 heads is 100 KB, and a
    follower that needs three fields decodes it several times faster).
    """

    def __init__(self, fields: Iterable[str] | None = None):
        from fastavro import parse_schema
        from fastavro.schema import fingerprint, to_parsing_canonical_form

        self._schemas = {}
        self._fields = None if fields is None else tuple(fields)
        folder = os.path.join(os.path.dirname(__file__), "schemas")
        for name in _SCHEMA_FILES:
            with open(os.path.join(folder, name), encoding="utf-8") as f:
                raw = json.load(f)
            named: dict = {}
            schema = parse_schema(raw, named_schemas=named)
            reader = schema
            if self._fields is not None:
                # a reader schema of those fields alone, knowing the writer's named types (an enum a kept field
                # refers to may be defined in one left out), all but the record's own name
                kept = [f for f in raw["fields"] if f["name"] in self._fields]
                types = {k: v for k, v in named.items() if k != schema["name"]}
                reader = parse_schema({**raw, "fields": kept}, named_schemas=types)
            # fastavro gives the fingerprint's bytes in the order single-object encoding writes them (little-endian)
            key = bytes.fromhex(fingerprint(to_parsing_canonical_form(schema), "CRC-64-AVRO"))
            self._schemas[key] = (schema, reader)

    def decode(self, value: bytes) -> dict:
        from fastavro import schemaless_reader

        if value[:2] == _AVRO_MAGIC:
            schemas = self._schemas.get(bytes(value[2:10]))
            if schemas is None:
                raise ValueError(
                    "a report written with a schema this client does not know "
                    f"(fingerprint {bytes(value[2:10]).hex()}): upgrade the headgeo client"
                )
            return schemaless_reader(io.BytesIO(value[10:]), *schemas)
        if value[:1] == b"{":
            report = json.loads(value)
            return report if self._fields is None else {k: v for k, v in report.items() if k in self._fields}
        raise ValueError("neither Avro single-object encoding nor JSON")


class ReportFollower:
    """Follows one run's reports from the time it starts; ``take()`` returns those of the checkpoints awaited so far."""

    def __init__(
        self,
        bootstrap_servers: str,
        run_id: str,
        topic: str = "headgeo.reports",
        dead_letter_topic: str = "headgeo.dead-letters",
        **config,
    ):
        from confluent_kafka import Consumer

        from headgeo.logs import quiet_logger

        self._run_id = run_id
        self._run_key = run_id.encode("utf-8")
        self._topic = topic
        self._dead_letter_topic = dead_letter_topic
        self._decoder = ReportDecoder()
        self._started_ms = int(time.time() * 1000)
        self._awaited = set()
        self._arrived: dict[int, dict] = {}
        self._taken = set()
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._closed = threading.Event()
        self._complained = set()
        quiet = quiet_logger("headgeo.librdkafka.reports")
        self._consumer = Consumer(
            {
                "bootstrap.servers": bootstrap_servers,
                # never joined: partitions are assigned, nothing committed
                "group.id": f"headgeo-report-follower-{uuid.uuid4()}",
                "enable.auto.commit": False,
                "isolation.level": "read_committed",  # reports are written in transactions
                "logger": quiet,
                **config,
            }
        )
        self._thread = threading.Thread(target=self._run, name="headgeo-report-follower", daemon=True)
        self._thread.start()

    def await_checkpoint(self, checkpoint: int) -> None:
        """This job published ``checkpoint``: keep its report when it comes."""
        with self._lock:
            self._awaited.add(int(checkpoint))

    def take(self) -> list[tuple[int, dict]]:
        """Reports arrived since the last call, (checkpoint, report) by checkpoint."""
        with self._lock:
            ready = sorted((c, r) for c, r in self._arrived.items() if c not in self._taken)
            self._taken.update(c for c, _ in ready)
            return ready

    def only(self, checkpoints: Iterable[int]) -> None:
        """Awaits only these of the checkpoints awaited so far (the others never reached Kafka)."""
        with self._changed:
            self._awaited &= {int(c) for c in checkpoints}
            self._changed.notify_all()

    def outstanding(self) -> list[int]:
        """Awaited checkpoints without a report yet."""
        with self._lock:
            return sorted(self._awaited - set(self._arrived))

    def wait(self, timeout: float) -> list[int]:
        """Waits up to ``timeout`` seconds for every awaited report; returns the checkpoints still outstanding."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while self._awaited - set(self._arrived):
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._changed.wait(min(left, 0.5))
            return sorted(self._awaited - set(self._arrived))

    def close(self) -> None:
        self._closed.set()
        self._thread.join(5.0)
        # closing after Kafka went away may fail; nothing is left to release then
        with contextlib.suppress(Exception):
            self._consumer.close()

    def _complain_once(self, cause: str, message: str) -> None:
        if cause not in self._complained:
            self._complained.add(cause)
            log.warning("headgeo: %s", message)

    def _assign(self) -> bool:
        from confluent_kafka import TopicPartition

        metadata = self._consumer.list_topics(timeout=5.0)
        topic = metadata.topics.get(self._topic)
        if topic is None or topic.error is not None or not topic.partitions:
            raise RuntimeError(f"topic {self._topic} not found")
        wanted = [TopicPartition(self._topic, p, self._started_ms) for p in topic.partitions]
        # the job's records that the processor refused as LATE say that another job uses (or used) this run id
        letters = metadata.topics.get(self._dead_letter_topic)
        if letters is not None and letters.error is None:
            wanted += [TopicPartition(self._dead_letter_topic, p, self._started_ms) for p in letters.partitions]
        # the end of each partition before the search: a partition with nothing since the start is read from there, not
        # from
        # "the end" resolved later, which would skip a report written meanwhile
        ends = [self._consumer.get_watermark_offsets(tp, timeout=10.0)[1] for tp in wanted]
        found = self._consumer.offsets_for_times(wanted, timeout=10.0)
        self._consumer.assign(
            [
                TopicPartition(tp.topic, tp.partition, tp.offset if tp.offset >= 0 else end)
                for tp, end in zip(found, ends)
            ]
        )
        return True

    def _dead_letter(self, message) -> None:
        headers = dict(message.headers() or [])
        if headers.get("headgeo.reason") != b"LATE":
            return
        try:
            checkpoint = int(json.loads(message.value()).get("checkpoint"))
        except Exception:
            return
        with self._changed:
            ours = checkpoint in self._awaited and checkpoint not in self._arrived
            if ours:
                # no report will come for it: not awaited any more, so the end of the job does not blame the processor
                self._awaited.discard(checkpoint)
                self._changed.notify_all()
        if ours:
            self._complain_once(
                "late",
                f"checkpoint {checkpoint} of {self._run_id} was dead-lettered LATE: run {self._run_id} "
                f"already had a report for it, so another job uses (or used) this run id; pass run_id= "
                f"to give this job one of its own",
            )

    def _run(self) -> None:
        assigned = False
        while not self._closed.is_set():
            try:
                if not assigned:
                    assigned = self._assign()
                message = self._consumer.poll(0.5)
            except Exception as e:
                self._complain_once(type(e).__name__, f"reports of {self._run_id} cannot be read yet ({e}); retrying")
                self._closed.wait(2.0)
                continue
            if message is None or message.error() is not None or message.key() != self._run_key:
                continue
            if message.topic() == self._dead_letter_topic:
                self._dead_letter(message)
                continue
            try:
                report = self._decoder.decode(message.value())
            except Exception as e:
                self._complain_once("decode", f"a report of {self._run_id} could not be read: {e}")
                continue
            with self._changed:
                checkpoint = int(report.get("checkpoint", -1))
                if checkpoint in self._awaited and checkpoint not in self._arrived:
                    self._arrived[checkpoint] = report
                    self._changed.notify_all()


def awaited_reports_line(outstanding: Iterable[int], run_id: str, waited: float) -> str | None:
    """The one line said at the end of training about reports that did not come back, or None."""
    outstanding = list(outstanding)
    if not outstanding:
        return None
    shown = ", ".join(str(c) for c in outstanding[:10]) + (" ..." if len(outstanding) > 10 else "")
    return (
        f"headgeo: no report for {len(outstanding)} checkpoint(s) of {run_id} within {waited:g} s ({shown}); "
        "is headgeo run processing headgeo.layers?"
    )
