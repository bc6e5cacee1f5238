"""Unit tests of the producer's helpers (no Kafka needed): python3 -m unittest discover -s examples/python"""

import json
import math
import os
import sys
import time
import unittest

import numpy as np
from headgeo.geometry import head_singular_values, mean_attention_entropy
from headgeo.records import layer_records


class HeadSingularValuesTest(unittest.TestCase):
    def test_equal_to_the_svd_of_the_full_metric(self):
        rng = np.random.RandomState(0)
        d_model, heads = 48, 4
        wq = rng.standard_normal((d_model, d_model))
        wk = rng.standard_normal((d_model, d_model))
        got = head_singular_values(wq.tolist(), wk, heads)
        d_head = d_model // heads
        for h in range(heads):
            q = wq[h * d_head : (h + 1) * d_head].T
            k = wk[h * d_head : (h + 1) * d_head].T
            full = np.linalg.svd(q @ k.T, compute_uv=False)[:d_head]
            np.testing.assert_allclose(got[h], full, rtol=1e-9, atol=1e-9)
        self.assertEqual(len(got), heads)

    def test_rejects_shapes_that_do_not_split_into_heads(self):
        with self.assertRaises(ValueError):
            head_singular_values(np.zeros((10, 10)), np.zeros((10, 10)), 3)


class EntropyTest(unittest.TestCase):
    def test_uniform_attention_has_log_n_entropy(self):
        probs = np.full((2, 3, 5, 8), 1 / 8)
        for e in mean_attention_entropy(probs):
            self.assertAlmostEqual(e, math.log(8), places=9)


class LayerRecordsTest(unittest.TestCase):
    def test_one_record_per_layer_with_the_design_fields(self):
        sv = np.ones((3, 2, 4))
        ent = [[1.0, 2.0]] * 3
        records = layer_records("run", 5, sv, ent, model="m")
        self.assertEqual([r["layer"] for r in records], [0, 1, 2])
        self.assertEqual(
            set(records[0]),
            {
                "run_id",
                "checkpoint",
                "layer",
                "num_layers",
                "num_heads",
                "metric_singvals_per_head",
                "mean_attention_entropy_per_head",
                "model",
                "emitted_at",
            },
        )
        self.assertEqual(records[0]["num_heads"], 2)

    def test_attention_health_fields_are_written_only_when_measured(self):
        sv = np.ones((2, 2, 4))
        records = layer_records(
            "run", 5, sv, [[1.0, 2.0]] * 2, max_logits=[[30.5, 2.0], None], probe_tokens=128, qk_norm=[True, False]
        )
        self.assertEqual(records[0]["max_attention_logit_per_head"], [30.5, 2.0])
        self.assertNotIn("max_attention_logit_per_head", records[1])
        self.assertEqual([r["probe_tokens"] for r in records], [128, 128])
        self.assertEqual([r.get("qk_norm") for r in records], [True, None])
        self.assertEqual(
            set(layer_records("run", 5, sv, [[1.0, 2.0]] * 2)[0])
            & {"max_attention_logit_per_head", "probe_tokens", "qk_norm"},
            set(),
            "records without them stay v1",
        )
        for bad in (
            {"max_logits": [[1.0], None]},
            {"max_logits": [[float("inf"), 1.0], None]},
            {"probe_tokens": 0},
            {"max_logits": [[1.0, 2.0]]},
        ):
            with self.subTest(bad=bad), self.assertRaises(ValueError):
                layer_records("run", 5, sv, [[1.0, 2.0]] * 2, **bad)

    def test_ragged_heads_are_kept(self):
        records = layer_records("run", 0, [[[3.0, 1.0], [2.0]]], [[0.5, 0.6]])
        self.assertEqual(records[0]["metric_singvals_per_head"], [[3.0, 1.0], [2.0]])

    def test_bad_values_are_refused_before_publishing(self):
        for sv, ent in [
            ([[[-1.0]]], [[1.0]]),
            ([[[float("nan")]]], [[1.0]]),
            ([[[]]], [[1.0]]),
            ([[[1.0]]], [[float("inf")]]),
            ([[[1.0]], [[1.0], [2.0]]], [[1.0], [1.0]]),
            ([[[1.0]]], [[-0.5]]),
        ]:
            with self.assertRaises(ValueError):
                layer_records("run", 0, sv, ent)

    def test_tags_ride_on_every_record_and_none_means_no_field(self):
        sv, ent = np.ones((2, 1, 3)), [[1.0]] * 2
        tagged = layer_records("run", 5, sv, ent, tags={"owner": "ana", "lr": "3e-4"})
        self.assertEqual([r["tags"] for r in tagged], [{"owner": "ana", "lr": "3e-4"}] * 2)
        # without tags the record is a version-1 record, which an earlier processor accepts
        self.assertNotIn("tags", layer_records("run", 5, sv, ent)[0])
        self.assertNotIn("tags", layer_records("run", 5, sv, ent, tags={})[0])

    def test_tags_that_break_the_rules_are_refused_with_the_rule(self):
        sv, ent = np.ones((1, 1, 3)), [[1.0]]
        cases = [
            ({str(i): "x" for i in range(33)}, "33 tags, the limit is 32"),
            ({"": "x"}, "must be 1 to 64"),
            ({"k" * 65: "x"}, "must be 1 to 64"),
            ({"k": "v" * 257}, "the limit is 256"),
            ({"k": "a\nb"}, "control characters"),
            ({"k": 3}, "must be strings"),
        ]
        for tags, message in cases:
            with self.assertRaisesRegex(ValueError, message):
                layer_records("run", 0, sv, ent, tags=tags)
        self.assertEqual(len(layer_records("run", 0, sv, ent, tags={"k" * 64: "v" * 256})), 1)


if __name__ == "__main__":
    unittest.main()


try:
    import confluent_kafka
except ImportError:  # pragma: no cover - depends on the machine
    confluent_kafka = None


@unittest.skipIf(confluent_kafka is None, "confluent-kafka is not installed")
class CloseWithKafkaDownTest(unittest.TestCase):
    def test_close_fails_what_is_left_so_on_delivery_hears_it_and_says_it_in_one_line(self):
        from headgeo.producer import HeadgeoProducer
        from test_examples import dead_address

        heard = []
        producer = HeadgeoProducer(dead_address())
        for checkpoint in (10, 20):
            producer.publish_checkpoint(
                "short-job",
                checkpoint,
                [[[2.0, 1.0]]],
                [[0.5]],
                block=False,
                on_delivery=lambda run, cp, err: heard.append((run, cp, err)),
            )
        with self.assertLogs("headgeo", level="WARNING") as logs:
            left = producer.close(0.5)
        self.assertEqual(left, 2)
        self.assertEqual(sorted(cp for _, cp, _ in heard), [10, 20])
        self.assertTrue(all(err and "close() came before Kafka at" in err for _, _, err in heard), heard)
        self.assertEqual(len(logs.output), 1, logs.output)
        self.assertIn("2 records of 2 checkpoint(s) not delivered to Kafka at", logs.output[0])
        self.assertIn("short-job@10, short-job@20", logs.output[0])


@unittest.skipIf(confluent_kafka is None, "confluent-kafka is not installed")
class EndOfProcessTest(unittest.TestCase):
    """SIGTERM and the interpreter's exit keep what is undelivered (or say it is lost), in one line, then do what they
    did.
    """

    def run_script(self, spool, user_handler=False, exit_normally=False):
        import subprocess
        import tempfile

        script = f"""
import logging, os, signal, sys, time
logging.basicConfig(level=logging.WARNING, format="%(message)s")
from headgeo import HeadgeoProducer
if {user_handler!r}:
    signal.signal(signal.SIGTERM, lambda n, f: (print("user handler ran", flush=True), sys.exit(7)))
p = HeadgeoProducer("127.0.0.1:1", spool_dir={spool!r})
for cp in (5, 10, 15, 20, 25, 30, 35, 40, 45, 50):
    p.publish_checkpoint("end-run", cp, [[[2.0, 1.0]]], [[0.5]], block=False)
if not {exit_normally!r}:
    os.kill(os.getpid(), signal.SIGTERM)
    time.sleep(30)
    print("not reached")
"""
        with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as f:
            f.write(script)
        env = dict(os.environ, PYTHONPATH=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        started = time.monotonic()
        done = subprocess.run(
            [sys.executable, f.name], capture_output=True, text=True, env=env, timeout=60, check=False
        )
        os.unlink(f.name)
        return done, time.monotonic() - started

    def test_sigterm_keeps_every_undelivered_checkpoint_in_the_spool_and_says_where(self):
        import tempfile

        with tempfile.TemporaryDirectory() as d:
            spool = os.path.join(d, "spool")
            done, took = self.run_script(spool)
            self.assertEqual(done.returncode, -15, done)
            self.assertNotIn("not reached", done.stdout)
            lines = [line for line in done.stderr.splitlines() if line.startswith("headgeo:")]
            self.assertEqual(len(lines), 1, done.stderr)
            self.assertIn(
                f"headgeo: SIGTERM: 10 checkpoint(s) not yet delivered to Kafka at 127.0.0.1:1 kept in {spool}",
                lines[0],
            )
            self.assertEqual(len([n for n in os.listdir(spool) if n.endswith(".jsonl")]), 10)
            self.assertLess(took, 15, "a dead broker does not hold the end of the process")

    def test_without_a_spool_sigterm_says_how_many_were_lost_and_the_users_handler_runs_after(self):
        done, _ = self.run_script(None, user_handler=True)
        self.assertEqual(done.returncode, 7, done)
        self.assertIn("user handler ran", done.stdout)
        self.assertIn("headgeo: SIGTERM: 10 checkpoint(s) not delivered to Kafka at 127.0.0.1:1 are lost", done.stderr)

    def test_the_interpreter_exiting_without_close_keeps_them_too(self):
        import tempfile

        with tempfile.TemporaryDirectory() as d:
            spool = os.path.join(d, "spool")
            done, took = self.run_script(spool, exit_normally=True)
            self.assertEqual(done.returncode, 0, done)
            self.assertEqual(len([n for n in os.listdir(spool) if n.endswith(".jsonl")]), 10, done.stderr)
            self.assertLess(took, 15)


@unittest.skipIf(confluent_kafka is None, "confluent-kafka is not installed")
class CloseIsBoundedTest(unittest.TestCase):
    def test_close_with_ten_checkpoints_for_a_dead_broker_keeps_its_timeout(self):
        import tempfile

        from headgeo.producer import HeadgeoProducer
        from test_examples import dead_address

        with tempfile.TemporaryDirectory() as d:
            for spool in (None, os.path.join(d, "spool")):
                with self.subTest(spool=spool):
                    producer = HeadgeoProducer(dead_address(), spool_dir=spool)
                    for checkpoint in range(10, 110, 10):
                        producer.publish_checkpoint("dead", checkpoint, [[[2.0, 1.0]]] * 4, [[0.5]] * 4, block=False)
                    started = time.monotonic()
                    with self.assertLogs("headgeo", level="WARNING"):
                        left = producer.close(3)
                    took = time.monotonic() - started
                    self.assertEqual(left, 40)
                    self.assertLess(
                        took, 3 + 2.5, "close(3): its timeout, then at most the purge's second and the spool's writes"
                    )
                    if spool:
                        self.assertEqual(len([n for n in os.listdir(spool) if n.endswith(".jsonl")]), 10)


class SpoolTest(unittest.TestCase):
    """The spool is untrusted input: claimed by one sender, checked whole, bad files moved aside with one line."""

    def setUp(self):
        import tempfile

        self._dir = tempfile.TemporaryDirectory()
        self.dir = os.path.join(self._dir.name, "spool")
        self.addCleanup(self._dir.cleanup)

    def values(self, run="run/1 ä", checkpoint=300, layers=2):
        records = layer_records(run, checkpoint, [[[1.0, 0.5]]] * layers, [[0.1]] * layers)
        return [json.dumps(r).encode() for r in records]

    def test_a_checkpoint_is_kept_whole_once_per_record_readable_by_its_owner_only(self):
        from headgeo.spool import Spool

        spool = Spool(self.dir)
        values = self.values()
        path = spool.keep("run/1 ä", 300, values[:1])
        spool.keep("run/1 ä", 300, values)  # kept again after a second failure: no record twice
        self.assertEqual(spool.check(path), ("run/1 ä", 300, values))
        self.assertEqual(spool.waiting(), [path])
        self.assertNotIn("/1", os.path.basename(path))
        self.assertEqual(oct(os.stat(self.dir).st_mode & 0o777), "0o700")
        self.assertEqual(oct(os.stat(path).st_mode & 0o777), "0o600")

    def test_a_claim_is_taken_by_one_sender_and_released_with_what_is_left(self):
        from headgeo.spool import Spool

        spool = Spool(self.dir)
        values = self.values()
        spool.keep("run/1 ä", 300, values)
        claimed = spool.claim()
        self.assertTrue(claimed.endswith(f".{os.getpid()}.claimed"))
        self.assertIsNone(Spool(self.dir).claim(), "a second sender finds nothing to claim")
        spool.release(claimed, values[1:], "run/1 ä", 300)
        self.assertEqual(spool.check(spool.waiting()[0])[2], values[1:])
        claimed = spool.claim()
        spool.release(claimed, [], "run/1 ä", 300)
        self.assertEqual(os.listdir(self.dir), [])

    def test_a_claim_of_a_process_that_died_is_taken_back(self):
        import subprocess

        from headgeo.spool import Spool

        spool = Spool(self.dir)
        path = spool.keep("r", 1, self.values("r", 1))
        dead = subprocess.Popen(["true"])
        dead.wait()
        os.rename(path, f"{path}.{dead.pid}.claimed")
        self.assertEqual(spool.waiting(), [])
        self.assertEqual(spool.take_back_stale_claims(), 1)
        self.assertEqual(spool.waiting(), [path])

    def test_what_is_not_a_whole_checkpoint_is_refused_with_its_reason(self):
        from headgeo.spool import Spool, SpoolFileError

        spool = Spool(self.dir, max_file_mb=1)
        values = self.values("r", 7, 3)
        other = self.values("s", 7, 1)
        cases = {
            "random.jsonl": (os.urandom(300) + b"\n", "line 1 is not JSON"),
            "empty.jsonl": (b"", "empty"),
            "truncated.jsonl": (b"\n".join(values)[:-40], "cut short"),
            "two-runs.jsonl": (b"\n".join(values[:1] + other) + b"\n", "line 2 is of s@7, the file of r@7"),
            "twice.jsonl": (b"\n".join(values[:1] * 2) + b"\n", "layer 0 twice"),
            "negative.jsonl": (
                values[0].replace(
                    b'"mean_attention_entropy_per_head": [0.1]', b'"mean_attention_entropy_per_head": [-0.1]'
                )
                + b"\n",
                "entropy_per_head must be finite numbers >= 0",
            ),
            "huge.jsonl": (b"[" + b"1," * 700_000 + b"1]\n", "more than a checkpoint can be"),
        }
        for name, (data, reason) in cases.items():
            with self.subTest(name=name):
                path = os.path.join(self.dir, name)
                with open(path, "wb") as f:
                    f.write(data)
                with self.assertRaisesRegex(SpoolFileError, reason):
                    spool.check(path)
        os.mkdir(os.path.join(self.dir, "a-directory.jsonl"))
        os.symlink(os.path.join(self.dir, "nowhere"), os.path.join(self.dir, "dangling.jsonl"))
        with self.assertRaisesRegex(SpoolFileError, "not a regular file"):
            spool.check(os.path.join(self.dir, "a-directory.jsonl"))
        with self.assertRaisesRegex(SpoolFileError, "a symbolic link"):
            spool.check(os.path.join(self.dir, "dangling.jsonl"))

    def test_a_bad_file_is_moved_aside_in_one_line_and_the_good_one_is_still_claimed(self):
        from headgeo.spool import Spool

        spool = Spool(self.dir)
        with open(os.path.join(self.dir, "bad.jsonl"), "wb") as f:
            f.write(b"garbage\n")
        os.utime(os.path.join(self.dir, "bad.jsonl"), (1, 1))  # the oldest: claimed first
        good = spool.keep("r", 1, self.values("r", 1))
        claimed = spool.claim()
        with self.assertLogs("headgeo", level="WARNING") as logs:
            try:
                spool.check(claimed)
                self.fail("garbage passed")
            except ValueError as e:
                spool.reject(claimed, str(e))
        self.assertEqual(len(logs.output), 1)
        self.assertIn(
            os.path.join(self.dir, "bad.jsonl") + " is not sent: line 1 is not JSON; moved to", logs.output[0]
        )
        self.assertTrue(os.path.exists(os.path.join(self.dir, "rejected", "bad.jsonl")))
        self.assertEqual(spool.check(spool.claim())[0], "r")
        self.assertFalse(os.path.exists(good))
