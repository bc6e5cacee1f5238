"""The example scripts as a user runs them: one line and a clean exit on a dead cluster and on Ctrl-C."""

import os
import signal
import socket
import subprocess
import sys
import time
import unittest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
EXAMPLES = os.path.join(ROOT, "examples", "python")

try:
    import confluent_kafka  # noqa: F401
    import torch
except ImportError:  # pragma: no cover
    torch = None


def dead_address():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return f"127.0.0.1:{port}"


def start(*args):
    env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "clients", "python"))
    # as from a terminal: SIGINT not ignored, whatever the test runner's shell did with it
    return subprocess.Popen(
        [sys.executable, *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )


@unittest.skipIf(torch is None, "needs torch and confluent_kafka")
class ExamplesTest(unittest.TestCase):
    def test_training_stops_on_ctrl_c_within_a_second_with_one_line(self):
        p = start(
            os.path.join(EXAMPLES, "train_tiny_transformer.py"),
            "--bootstrap-servers",
            dead_address(),
            "--steps",
            "100000",
            "--every",
            "10",
        )
        first = p.stderr.readline()  # progress from the first checkpoint on
        self.assertTrue(first.startswith("step 10: loss "), first)
        t0 = time.monotonic()
        p.send_signal(signal.SIGINT)
        _, err = p.communicate(timeout=30)
        took = time.monotonic() - t0
        self.assertEqual(p.returncode, 130)
        self.assertEqual(err.strip().splitlines()[-1], "interrupted")
        self.assertNotIn("Traceback", err)
        self.assertLess(took, 5.0)  # measured 0.2 s; margin for a loaded machine

    def test_publishing_to_a_dead_cluster_is_one_line_within_seconds(self):
        dump = os.path.join(ROOT, "src", "test", "resources", "golden", "one_head.json")
        address = dead_address()
        t0 = time.monotonic()
        p = start(
            os.path.join(EXAMPLES, "publish_dump.py"),
            dump,
            "--run",
            "r",
            "--checkpoint",
            "1",
            "--bootstrap-servers",
            address,
        )
        _out, err = p.communicate(timeout=60)
        self.assertEqual(p.returncode, 1)
        self.assertEqual(len(err.strip().splitlines()), 1, err)
        self.assertTrue(err.startswith(f"publish_dump: headgeo: Kafka at {address} unreachable for "), err)
        self.assertLess(time.monotonic() - t0, 30.0)


class ExamplesWithoutInstallTest(unittest.TestCase):
    def test_the_examples_run_from_a_clone_with_no_client_installed(self):
        env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
        for script in ("publish_dump.py", "train_tiny_transformer.py"):
            done = subprocess.run(
                [sys.executable, os.path.join(EXAMPLES, script), "--help"],
                env=env,
                check=False,
                cwd="/",
                capture_output=True,
                text=True,
                timeout=120,
            )
            self.assertEqual(done.returncode, 0, done.stderr)
            self.assertIn("usage:", done.stdout)


if __name__ == "__main__":
    unittest.main()
