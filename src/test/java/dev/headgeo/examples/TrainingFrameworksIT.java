package dev.headgeo.examples;

import static dev.headgeo.testing.ReportJson.withoutTimes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.headgeo.app.ProcessorApp;
import dev.headgeo.avro.AnchorFit;
import dev.headgeo.avro.CheckpointReport;
import dev.headgeo.dump.DumpReader;
import dev.headgeo.kafka.EmbeddedKafka;
import dev.headgeo.stream.HeadgeoStreamsConfig;
import dev.headgeo.stream.StreamSettings;
import dev.headgeo.testing.Python;
import dev.headgeo.testing.ReportJson;
import dev.headgeo.testing.ReportReader;
import dev.headgeo.wire.AvroJson;
import dev.headgeo.wire.HeadgeoTopics;
import dev.headgeo.wire.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The training stacks researchers use, for real (transformers 5, Lightning 2.6, torch 2.13 from the
 * venv of tools/python-venv.sh), against a processor on the in-JVM broker: a Hugging Face Trainer
 * alone and under torchrun (DDP, 2 processes), Lightning with strategy="ddp" over 2 processes, and
 * FSDP2 over 2 processes. Each checkpoint's report equals the offline analysis of the checkpoint as
 * saved (re-read from disk), each layer is sent once per checkpoint whatever the number of
 * processes, and the reports come back into TensorBoard's event files.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TrainingFrameworksIT {
    private static final Duration RUN_LIMIT = Duration.ofMinutes(4);
    private static final String RUNS = "clients/python/tests/runs/";

    /** tiny_data.tiny_llama(): three attention layers of 4 query heads. */
    private static final int LAYERS = 3;

    @TempDir static Path tmp;

    private String python;
    private EmbeddedKafka kafka;
    private ProcessorApp app;

    @BeforeAll
    void start() throws Exception {
        Optional<String> found =
                Python.withModules(
                        "transformers", "lightning", "tensorboard", "confluent_kafka", "fastavro");
        assumeTrue(
                found.isPresent(),
                "no python with transformers, lightning, tensorboard, confluent_kafka and fastavro "
                        + "(bash tools/python-venv.sh)");
        python = found.get();
        kafka = EmbeddedKafka.start();
        HeadgeoTopics topics = HeadgeoTopics.defaults();
        Properties config =
                HeadgeoStreamsConfig.of(
                        kafka.bootstrapServers(),
                        "headgeo-frameworks-it",
                        Files.createDirectories(tmp.resolve("state")).toString(),
                        topics,
                        Map.of("commit.interval.ms", "100"));
        app = ProcessorApp.start(config, topics, StreamSettings.defaults(), true, null, null);
        assertThat(app.awaitRunning(Duration.ofSeconds(60))).isTrue();
    }

    @AfterAll
    void stop() {
        if (app != null) {
            app.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void huggingFaceTrainerReportsEverySavedCheckpointAsItsSavedWeightsAnalyze() throws Exception {
        Path out = tmp.resolve("hf");
        JsonNode summary =
                run(
                        List.of(
                                RUNS + "hf_trainer.py",
                                "--bootstrap-servers",
                                kafka.bootstrapServers(),
                                "--run-id",
                                "hf-trainer",
                                "--output-dir",
                                out.toString()));

        List<CheckpointReport> reports = reportsOf("hf-trainer", 3);
        assertSavedCheckpointsReported(reports, out, "hf-trainer", summary);
        assertTensorBoardCarries(summary.get("tensorboard"), "train/headgeo/", reports);
        CheckpointReport last = reports.get(2);
        assertThat(last.getModel()).isEqualTo("LlamaForCausalLM");
        assertThat(last.getTags())
                .containsEntry("batch_size", "4")
                .containsEntry("seed", "7")
                .containsEntry("owner", "it");
        // the training context the Trainer last logged rides with each checkpoint (design §15): the
        // loss, the gradient
        // norm and the scheduled learning rate, which by now has decayed from TrainingArguments'
        // 0.001
        assertThat(last.getTags()).containsKeys("loss", "grad_norm");
        assertThat(Double.parseDouble(last.getTags().get("loss"))).isPositive();
        assertThat(Double.parseDouble(last.getTags().get("learning_rate")))
                .isPositive()
                .isLessThan(0.001);
        assertThat(layerRecordsPerCheckpoint("hf-trainer"))
                .isEqualTo(Map.of(10L, LAYERS, 20L, LAYERS, 30L, LAYERS));
    }

    @Test
    void huggingFaceTrainerUnderTorchrunSendsOneRecordPerLayerPerCheckpoint() throws Exception {
        Path out = tmp.resolve("hf-ddp");
        JsonNode summary =
                run(
                        List.of(
                                "-m",
                                "torch.distributed.run",
                                "--standalone",
                                "--nproc_per_node",
                                "2",
                                RUNS + "hf_trainer.py",
                                "--bootstrap-servers",
                                kafka.bootstrapServers(),
                                "--run-id",
                                "hf-ddp",
                                "--output-dir",
                                out.toString()));

        List<CheckpointReport> reports = reportsOf("hf-ddp", 3);
        assertSavedCheckpointsReported(reports, out, "hf-ddp", summary);
        assertTensorBoardCarries(summary.get("tensorboard"), "train/headgeo/", reports);
        assertThat(reports.get(0).getTags())
                .as("global batch: 4 per device x 2 processes")
                .containsEntry("batch_size", "8");
        assertThat(layerRecordsPerCheckpoint("hf-ddp"))
                .isEqualTo(Map.of(10L, LAYERS, 20L, LAYERS, 30L, LAYERS));
    }

    /**
     * Preemption: torchrun gets SIGTERM (as Slurm sends it) while the broker is away; its workers'
     * checkpoints not yet delivered are kept in the spool, said in one line, and a next job's
     * producer delivers every one of them.
     */
    @Test
    void aTorchrunJobStoppedBySigtermKeepsItsCheckpointsForTheNextJob() throws Exception {
        Path spool = tmp.resolve("preempted-spool");
        Path output = tmp.resolve("preempted.out");
        String away = "127.0.0.1:" + freePort();
        Process job =
                Python.processBuilder(
                                python,
                                List.of(
                                        "-m",
                                        "torch.distributed.run",
                                        "--standalone",
                                        "--nproc_per_node",
                                        "2",
                                        RUNS + "hf_preempted.py",
                                        "--bootstrap-servers",
                                        away,
                                        "--run-id",
                                        "preempted-ddp",
                                        "--output-dir",
                                        tmp.resolve("preempted").toString(),
                                        "--spool",
                                        spool.toString()))
                        .redirectOutput(output.toFile())
                        .start();
        try {
            new org.openqa.selenium.support.ui.FluentWait<>(output)
                    .withTimeout(RUN_LIMIT)
                    .pollingEvery(Duration.ofMillis(200))
                    .until(f -> Files.exists(f) && read(f).contains("preempt me"));
            assertThat(job.toHandle().destroy())
                    .isTrue(); // SIGTERM to torchrun, which passes it to its workers
            assertThat(job.waitFor(90, java.util.concurrent.TimeUnit.SECONDS))
                    .as(read(output))
                    .isTrue();
        } finally {
            job.descendants().forEach(ProcessHandle::destroyForcibly);
            job.destroyForcibly();
        }
        String said = read(output);
        List<String> kept =
                said.lines()
                        .filter(
                                l ->
                                        l.contains("headgeo: SIGTERM:")
                                                && l.contains("kept in " + spool))
                        .toList();
        assertThat(kept).as(said).hasSize(1);
        List<Long> spooled;
        try (var files = Files.list(spool)) {
            spooled =
                    files.map(f -> f.getFileName().toString())
                            .filter(n -> n.endsWith(".jsonl"))
                            .map(
                                    n ->
                                            Long.parseLong(
                                                    n.substring(
                                                            n.indexOf('@') + 1,
                                                            n.length() - ".jsonl".length())))
                            .sorted()
                            .toList();
        }
        assertThat(spooled).as(said).contains(0L, 2L, 4L, 6L);

        Python.Run next =
                Python.run(
                        python,
                        List.of(
                                "src/test/python/publish_through_outage.py",
                                kafka.bootstrapServers(),
                                "next-job",
                                "0",
                                "0",
                                "--spool",
                                spool.toString(),
                                "--drain",
                                "--close-timeout",
                                "60"));
        assertThat(next.output()).as(next.output()).contains("undelivered 0");
        assertThat(reportsOf("preempted-ddp", spooled.size()))
                .extracting(CheckpointReport::getCheckpoint)
                .containsExactlyInAnyOrderElementsOf(spooled);
        assertThat(layerRecordsPerCheckpoint("preempted-ddp").values())
                .as("every layer once")
                .containsOnly(LAYERS);
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (java.io.IOException e) {
            return "";
        }
    }

    private static int freePort() throws java.io.IOException {
        try (java.net.ServerSocket s =
                new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Test
    void lightningWithDdpOverTwoProcessesSendsOneRecordPerLayerPerSavedCheckpoint()
            throws Exception {
        Path out = tmp.resolve("lightning");
        JsonNode summary =
                run(
                        List.of(
                                RUNS + "lightning_run.py",
                                "--devices",
                                "2",
                                "--bootstrap-servers",
                                kafka.bootstrapServers(),
                                "--run-id",
                                "lightning-ddp",
                                "--output-dir",
                                out.toString()));

        List<CheckpointReport> reports = reportsOf("lightning-ddp", 3);
        assertSavedCheckpointsReported(reports, out, "lightning-ddp", summary);
        assertTensorBoardCarries(summary.get("tensorboard"), "headgeo/", reports);
        assertThat(reports.get(0).getTags())
                .containsEntry("learning_rate", "0.001")
                .containsEntry("seed", "7");
        assertThat(layerRecordsPerCheckpoint("lightning-ddp"))
                .isEqualTo(Map.of(10L, LAYERS, 20L, LAYERS, 30L, LAYERS));
    }

    @Test
    void fsdp2ShardedModelsMeasureAsTheirUnshardedCopiesAndOneRankSends() throws Exception {
        Python.Run run =
                Python.run(
                        python,
                        List.of(
                                "-m",
                                "torch.distributed.run",
                                "--standalone",
                                "--nproc_per_node",
                                "2",
                                RUNS + "fsdp2_run.py",
                                "--bootstrap-servers",
                                kafka.bootstrapServers(),
                                "--run-id",
                                "fsdp2"),
                        RUN_LIMIT);
        assertThat(run.status()).as(run.output()).isZero();
        List<JsonNode> ranks = new ArrayList<>();
        for (String line : run.output().split("\n")) {
            int at = line.indexOf("{\"rank\"");
            if (at >= 0) {
                // the ranks share one stdout: a line may hold both ranks' objects back to back
                try (var values =
                        Json.MAPPER.readerFor(JsonNode.class).readValues(line.substring(at))) {
                    values.forEachRemaining(v -> ranks.add((JsonNode) v));
                }
            }
        }
        assertThat(ranks).as(run.output()).hasSize(2);
        for (JsonNode rank : ranks) {
            for (String model : List.of("llama", "qwen3")) {
                assertThat(rank.get(model).get("singular_values").asDouble())
                        .as("rank %s %s", rank.get("rank"), model)
                        .isLessThanOrEqualTo(1e-15);
                assertThat(rank.get(model).get("entropies").asDouble()).isLessThanOrEqualTo(1e-12);
            }
            assertThat(rank.get("sent").asInt())
                    .as("rank %s sent", rank.get("rank"))
                    .isEqualTo(rank.get("rank").asInt() == 0 ? LAYERS : 0);
        }
        assertThat(reportsOf("fsdp2", 1))
                .singleElement()
                .satisfies(r -> assertThat(r.getNumLayers()).isEqualTo(LAYERS));
        assertThat(layerRecordsPerCheckpoint("fsdp2")).isEqualTo(Map.of(10L, LAYERS));
    }

    private JsonNode run(List<String> args) throws Exception {
        Python.Run run = Python.run(python, args, RUN_LIMIT);
        assertThat(run.status()).as(run.output()).isZero();
        // rank 0's summary: the last line that is one; another process may write after it (a
        // warning at exit)
        List<String> summaries =
                run.output().lines().filter(l -> l.startsWith("{\"checkpoints\"")).toList();
        assertThat(summaries).as(run.output()).isNotEmpty();
        return Json.MAPPER.readTree(summaries.get(summaries.size() - 1));
    }

    private List<CheckpointReport> reportsOf(String runId, int expected) {
        List<CheckpointReport> reports =
                new ArrayList<>(
                        ReportReader.read(
                                client(),
                                HeadgeoTopics.defaults(),
                                expected,
                                Duration.ofSeconds(60),
                                r -> r.getRunId().equals(runId)));
        reports.sort(java.util.Comparator.comparingLong(CheckpointReport::getCheckpoint));
        return reports;
    }

    /**
     * Reports for checkpoints 10, 20 and 30, each equal to the analysis of the checkpoint re-read
     * from disk.
     */
    private static void assertSavedCheckpointsReported(
            List<CheckpointReport> reports, Path out, String runId, JsonNode summary)
            throws Exception {
        assertThat(summary.get("checkpoints").toString()).isEqualTo("[10,20,30]");
        assertThat(reports)
                .extracting(CheckpointReport::getCheckpoint)
                .containsExactly(10L, 20L, 30L);
        for (CheckpointReport r : reports) {
            assertThat(r.getNumLayers()).isEqualTo(LAYERS);
            assertThat(withoutTimes(AvroJson.toJson(r)))
                    .as("checkpoint %d", r.getCheckpoint())
                    .isEqualTo(
                            ReportJson.offline(
                                    DumpReader.read(
                                            out.resolve("dump-" + r.getCheckpoint() + ".json")),
                                    runId,
                                    r.getCheckpoint()));
        }
    }

    /**
     * TensorBoard holds each report's mean residual and verdict per anchor at the checkpoint's step
     * (float32 there).
     */
    private static void assertTensorBoardCarries(
            JsonNode scalars, String prefix, List<CheckpointReport> reports) {
        for (CheckpointReport r : reports) {
            String step = Long.toString(r.getCheckpoint());
            for (AnchorFit fit : r.getFits()) {
                String anchor = fit.getAnchor().name().toLowerCase(java.util.Locale.ROOT);
                JsonNode residual = scalars.path(prefix + "mean_residual/" + anchor).path(step);
                assertThat(residual.isMissingNode())
                        .as("%smean_residual/%s at step %s in %s", prefix, anchor, step, scalars)
                        .isFalse();
                assertThat(residual.asDouble())
                        .isCloseTo(
                                fit.getMeanResidual(),
                                within(1e-7 * Math.max(1, fit.getMeanResidual())));
                assertThat(scalars.path(prefix + "verdict/" + anchor).path(step).asInt())
                        .as("0 supported, 1 partially, 2 rejected, as headgeo_run_verdict")
                        .isEqualTo(fit.getVerdict().ordinal());
            }
        }
    }

    private Properties client() {
        Properties client = new Properties();
        client.put("bootstrap.servers", kafka.bootstrapServers());
        return client;
    }

    /** How many layer records each checkpoint of a run has on headgeo.layers. */
    private Map<Long, Integer> layerRecordsPerCheckpoint(String runId) throws Exception {
        Properties props = client();
        props.put("key.deserializer", StringDeserializer.class.getName());
        props.put("value.deserializer", ByteArrayDeserializer.class.getName());
        Map<Long, Integer> counts = new HashMap<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props)) {
            List<TopicPartition> partitions =
                    consumer.partitionsFor(HeadgeoTopics.defaults().layers().name()).stream()
                            .map(p -> new TopicPartition(p.topic(), p.partition()))
                            .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                for (ConsumerRecord<String, byte[]> record :
                        consumer.poll(Duration.ofMillis(200))) {
                    if (runId.equals(record.key())) {
                        JsonNode layer = Json.MAPPER.readTree(record.value());
                        counts.merge(layer.get("checkpoint").asLong(), 1, Integer::sum);
                    }
                }
            }
        }
        return counts;
    }
}
