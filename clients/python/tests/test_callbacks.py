"""The framework callbacks never break training: a dead broker, a model headgeo cannot read, a bad probe.

Real transformers Trainer and Lightning Trainer runs on a tiny Llama (the venv of tools/python-venv.sh); no broker is
needed: where one is, TrainingFrameworksIT runs these callbacks against a processor.
"""

import logging
import os
import sys
import tempfile
import time
import unittest

try:
    import lightning as L
    import torch
    import transformers

    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "runs"))
    import tiny_data
    from headgeo import training
    from headgeo.hf import HeadgeoCallback as HfCallback
    from headgeo.lightning import HeadgeoCallback as LightningCallback
    from test_examples import dead_address
except ImportError:  # pragma: no cover - depends on the machine
    transformers = None


def hf_train(directory, callbacks, steps=20, logging_steps=100):
    """Trains the tiny Llama with the Trainer; the final parameters, flattened."""
    transformers.logging.set_verbosity_error()
    model = tiny_data.tiny_llama()
    args = transformers.TrainingArguments(
        output_dir=directory,
        max_steps=steps,
        save_strategy="steps",
        save_steps=10,
        per_device_train_batch_size=4,
        learning_rate=1e-3,
        seed=3,
        report_to=[],
        use_cpu=True,
        disable_tqdm=True,
        save_only_model=True,
        logging_steps=logging_steps,
    )
    trainer = transformers.Trainer(
        model=model, args=args, train_dataset=tiny_data.RandomTokens(32, seed=1), callbacks=callbacks
    )
    trainer.train()
    return torch.cat([p.detach().flatten() for p in model.parameters()])


def tiny_lightning_module():
    """The tiny Llama as a LightningModule trained by SGD at 1e-2."""

    class Module(L.LightningModule):
        def __init__(self):
            super().__init__()
            self.model = tiny_data.tiny_llama()

        def training_step(self, batch, batch_idx):
            return self.model(**batch).loss

        def configure_optimizers(self):
            return torch.optim.SGD(self.parameters(), lr=1e-2)

    return Module()


@unittest.skipIf(transformers is None, "transformers and lightning are not installed (tools/python-venv.sh)")
class CallbacksNeverBreakTrainingTest(unittest.TestCase):
    def test_trainer_with_kafka_down_trains_as_without_and_says_once_what_was_not_sent(self):
        with tempfile.TemporaryDirectory() as alone, tempfile.TemporaryDirectory() as published:
            expected = hf_train(alone, [])
            callback = HfCallback(dead_address(), run_id="down", every_n_steps=5, close_timeout=0.5)
            with self.assertLogs("headgeo", level="WARNING") as logs:
                started = time.monotonic()
                got = hf_train(published, [callback])
                took = time.monotonic() - started
        self.assertTrue(torch.equal(expected, got), "the probe must not change training")
        # checkpoint 0 (the initial weights), 5, 10, 15, 20 (10 and 20 are also saves: published once each)
        self.assertEqual(callback.publisher._published, [0, 5, 10, 15, 20])
        self.assertEqual(len(logs.output), 1, logs.output)
        self.assertRegex(
            logs.output[0], r"5 of 5 checkpoints of down not sent to Kafka at 127\.0\.0\.1:\d+ \(0, 5, 10, 15, 20\)"
        )
        self.assertLess(took, 60, "publishing never waits for the dead broker")

    def test_a_model_headgeo_cannot_read_is_said_once_and_training_goes_on(self):
        with tempfile.TemporaryDirectory() as directory:
            model_steps = []

            class Refused(HfCallback):
                def on_train_begin(self, args, state, control, model=None, **kwargs):
                    attention = model.model.layers[0].self_attn
                    attention.q_norm = torch.nn.LayerNorm(attention.head_dim)  # a norm with a bias: refused
                    with torch.no_grad():
                        attention.q_norm.bias.fill_(0.5)
                    super().on_train_begin(args, state, control, model=model, **kwargs)

                def on_step_end(self, args, state, control, **kwargs):
                    model_steps.append(state.global_step)
                    super().on_step_end(args, state, control, **kwargs)

            callback = Refused(dead_address(), run_id="refused", every_n_steps=2, close_timeout=0.5)
            with self.assertLogs("headgeo", level="WARNING") as logs:
                hf_train(directory, [callback])
        self.assertEqual(model_steps[-1], 20)
        self.assertEqual(len(logs.output), 1, logs.output)
        self.assertIn("cannot measure this model, nothing is published", logs.output[0])
        self.assertIn("q_norm", logs.output[0])

    def test_the_default_probe_is_the_first_examples_of_the_eval_data_collated_and_fixed(self):
        with tempfile.TemporaryDirectory() as directory:
            transformers.logging.set_verbosity_error()
            args = transformers.TrainingArguments(
                output_dir=directory,
                max_steps=2,
                per_device_eval_batch_size=3,
                report_to=[],
                use_cpu=True,
                disable_tqdm=True,
                save_strategy="no",
            )
            evaluation = tiny_data.RandomTokens(8, seed=2)
            trainer = transformers.Trainer(
                model=tiny_data.tiny_llama(),
                args=args,
                train_dataset=tiny_data.RandomTokens(16, seed=1),
                eval_dataset=evaluation,
            )
            callback = HfCallback.attach(trainer, dead_address(), run_id="probe", close_timeout=0.1)
            trainer.train()
        probe = callback.publisher.probe_batch
        self.assertTrue(torch.equal(probe["input_ids"], evaluation.ids[:3]))

    def test_a_step_count_that_is_not_positive_is_refused_when_the_callback_is_made(self):
        with self.assertRaises(ValueError):
            HfCallback("localhost:9092", every_n_steps=0)

    def test_misconfiguration_raises_when_the_callback_is_made(self):
        for callback in (HfCallback, LightningCallback):
            with self.subTest(callback=callback.__module__):
                with self.assertRaisesRegex(
                    TypeError, r"unexpected keyword argument 'every_n_train_steps'; did you mean 'every_n_steps'\?"
                ):
                    callback("localhost:9092", every_n_train_steps=10)
                with self.assertRaisesRegex(TypeError, r"'spool_directory'; did you mean 'spool_dir'\?"):
                    callback("localhost:9092", spool_directory="/tmp/x")
                with self.assertRaisesRegex(
                    ValueError, r"invalid Kafka setting in kafka_config: No such configuration property: \"lingr.ms\""
                ):
                    callback("localhost:9092", kafka_config={"lingr.ms": 5})
                with self.assertRaisesRegex(ValueError, "Invalid value"):
                    callback("localhost:9092", kafka_config={"linger.ms": "soon"})
                callback("localhost:9092", spool_dir="/tmp/headgeo-test-spool", kafka_config={"linger.ms": 5})

    def test_without_a_run_id_each_job_gets_its_own_said_once(self):
        with tempfile.TemporaryDirectory() as directory:
            ids = []
            for _ in range(2):
                callback = HfCallback(dead_address(), close_timeout=0.1)
                with self.assertLogs("headgeo", level="WARNING") as logs:
                    hf_train(os.path.join(directory, "my-output"), [callback], steps=1)
                ids.append(callback.publisher.run_id)
                self.assertIn(f"headgeo: this run is {ids[-1]} (no run_id or run name given", logs.output[0])
                time.sleep(1.1)  # the start time is in seconds: the second job starts in another
        self.assertTrue(all(i.startswith("my-output-") for i in ids), ids)
        self.assertNotEqual(ids[0], ids[1])

    def test_the_end_of_a_job_with_kafka_unreachable_is_not_held_for_the_reports(self):
        with tempfile.TemporaryDirectory() as directory:
            callback = HfCallback(
                dead_address(),
                run_id="unreachable",
                every_n_steps=5,
                log_reports=True,
                report_timeout=60,
                close_timeout=1,
            )
            with self.assertLogs("headgeo", level="WARNING") as logs:
                started = time.monotonic()
                hf_train(directory, [callback], steps=10)
                took = time.monotonic() - started
        self.assertLess(took, 20, "nothing was delivered: no report to wait 60 s for")
        self.assertFalse(any("is headgeo run processing" in line for line in logs.output), logs.output)
        self.assertTrue(any("not sent to Kafka at" in line for line in logs.output), logs.output)

    def test_lightning_with_kafka_down_finishes_and_says_once_what_was_not_sent(self):
        callback = LightningCallback(dead_address(), run_id="lightning-down", every_n_steps=4, close_timeout=0.5)
        loader = torch.utils.data.DataLoader(tiny_data.RandomTokens(32, seed=1), batch_size=4)
        with tempfile.TemporaryDirectory() as directory, self.assertLogs("headgeo", level="WARNING") as logs:
            trainer = L.Trainer(
                accelerator="cpu",
                devices=1,
                max_steps=8,
                logger=False,
                enable_checkpointing=False,
                enable_progress_bar=False,
                enable_model_summary=False,
                default_root_dir=directory,
                callbacks=[callback],
            )
            trainer.fit(tiny_lightning_module(), loader)
        self.assertEqual(trainer.global_step, 8)
        self.assertEqual(callback.publisher._published, [0, 4, 8])  # 0: the initial weights
        self.assertEqual(len(logs.output), 1, logs.output)
        self.assertIn("3 of 3 checkpoints of lightning-down not sent", logs.output[0])

    def test_each_checkpoint_carries_the_training_context_the_trainers_last_saw(self):
        def capturing(callback):
            sent = {}
            publish = callback.publisher.publish

            def publish_and_keep(model, step, context=None):
                sent[step] = dict(context or {})
                publish(model, step, context)

            callback.publisher.publish = publish_and_keep
            return sent

        hf = HfCallback(dead_address(), run_id="context-hf", every_n_steps=5, close_timeout=0.5)
        sent = capturing(hf)
        with tempfile.TemporaryDirectory() as directory, self.assertLogs("headgeo", level="WARNING"):
            hf_train(directory, [hf], logging_steps=5)
        # the Trainer logs after the step's callbacks: checkpoint N carries what it logged at N - 5
        self.assertEqual(sent[0], {})
        self.assertEqual(sent[5], {})
        for step in (10, 15, 20):
            self.assertEqual(sorted(sent[step]), ["grad_norm", "learning_rate", "loss"], sent)
            self.assertGreater(sent[step]["loss"], 0)
        self.assertLess(sent[20]["learning_rate"], sent[10]["learning_rate"], "the linear schedule's rate, as logged")

        lightning = LightningCallback(dead_address(), run_id="context-lightning", every_n_steps=4, close_timeout=0.5)
        sent = capturing(lightning)
        loader = torch.utils.data.DataLoader(tiny_data.RandomTokens(32, seed=1), batch_size=4)
        with tempfile.TemporaryDirectory() as directory, self.assertLogs("headgeo", level="WARNING"):
            L.Trainer(
                accelerator="cpu",
                devices=1,
                max_steps=8,
                logger=False,
                enable_checkpointing=False,
                enable_progress_bar=False,
                enable_model_summary=False,
                default_root_dir=directory,
                callbacks=[lightning],
            ).fit(tiny_lightning_module(), loader)
        for step in (4, 8):
            self.assertEqual(sorted(sent[step]), ["learning_rate", "loss"], sent)
            self.assertEqual(sent[step]["learning_rate"], 1e-2)
            self.assertGreater(sent[step]["loss"], 0)

    def test_probe_from_a_shuffling_loader_draws_nothing_from_the_random_generator(self):
        loader = torch.utils.data.DataLoader(tiny_data.RandomTokens(10, seed=1), batch_size=4, shuffle=True)
        torch.manual_seed(5)
        before = torch.random.get_rng_state()
        probe = training.probe_from_dataloader(loader)
        self.assertTrue(torch.equal(torch.random.get_rng_state(), before))
        self.assertTrue(torch.equal(probe["input_ids"], loader.dataset.ids[:4]))


if __name__ == "__main__":
    logging.basicConfig()
    unittest.main()
