package dev.headgeo.examples;

import static dev.headgeo.testing.ReportJson.withoutTimes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.headgeo.app.ProcessorApp;
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
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A small transformer really trains (Debian's python3-torch) and publishes its head geometry every
 * few steps through confluent-kafka to a processor on the in-JVM broker: each checkpoint's report
 * equals the offline analysis of the dump the training run wrote, and training with publishing ends
 * with the same parameters as training without.
 */
class TorchTrainingIT {
    @TempDir Path tmp;

    @Test
    void aTrainingRunPublishesCheckpointsThatAnalyzeAsTheirDumpsAndDoesNotChangeTraining()
            throws Exception {
        Optional<String> python = Python.withModules("torch", "numpy", "confluent_kafka");
        assumeTrue(
                python.isPresent(),
                "no python3 with torch, numpy and confluent_kafka (apt-get install python3-torch"
                        + " ...)");
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            HeadgeoTopics topics = HeadgeoTopics.defaults();
            Properties config =
                    HeadgeoStreamsConfig.of(
                            kafka.bootstrapServers(),
                            "headgeo-torch-it",
                            Files.createDirectories(tmp.resolve("state")).toString(),
                            topics,
                            Map.of("commit.interval.ms", "100"));
            try (ProcessorApp app =
                    ProcessorApp.start(
                            config, topics, StreamSettings.defaults(), true, null, null)) {
                assertThat(app.awaitRunning(Duration.ofSeconds(60))).isTrue();
                Path dumps = tmp.resolve("dumps");
                Python.Run published =
                        Python.run(
                                python.get(),
                                List.of(
                                        "examples/python/train_tiny_transformer.py",
                                        "--bootstrap-servers",
                                        kafka.bootstrapServers(),
                                        "--run",
                                        "tiny",
                                        "--steps",
                                        "90",
                                        "--every",
                                        "30",
                                        "--dump-dir",
                                        dumps.toString()));
                assertThat(published.status()).as(published.output()).isZero();
                JsonNode summary = lastJsonLine(published.output());
                assertThat(summary.get("checkpoints_published").asInt()).isEqualTo(3);
                assertThat(summary.get("delivered").asInt()).isEqualTo(3);
                assertThat(summary.get("failed").asInt()).isZero();

                List<CheckpointReport> reports =
                        ReportReader.read(kafka.bootstrapServers(), 3, Duration.ofSeconds(60));
                assertThat(reports)
                        .extracting(CheckpointReport::getCheckpoint)
                        .containsExactlyInAnyOrder(30L, 60L, 90L);
                for (CheckpointReport r : reports) {
                    Path dump = dumps.resolve("tiny-" + r.getCheckpoint() + ".json");
                    assertThat(r.getNumLayers()).isEqualTo(4);
                    assertThat(r.getNumHeads()).isEqualTo(4);
                    assertThat(r.getMaxRank()).isEqualTo(16);
                    assertThat(withoutTimes(AvroJson.toJson(r)))
                            .isEqualTo(
                                    ReportJson.offline(
                                            DumpReader.read(dump), "tiny", r.getCheckpoint()));
                }

                Python.Run gqa =
                        Python.run(
                                python.get(),
                                List.of(
                                        "examples/python/train_tiny_transformer.py",
                                        "--attention",
                                        "gqa",
                                        "--bootstrap-servers",
                                        kafka.bootstrapServers(),
                                        "--run",
                                        "tiny-gqa",
                                        "--steps",
                                        "60",
                                        "--every",
                                        "30",
                                        "--dump-dir",
                                        dumps.toString()));
                assertThat(gqa.status()).as(gqa.output()).isZero();
                assertThat(lastJsonLine(gqa.output()).get("delivered").asInt()).isEqualTo(2);
                List<CheckpointReport> gqaReports =
                        ReportReader.read(kafka.bootstrapServers(), 5, Duration.ofSeconds(60))
                                .stream()
                                .filter(r -> r.getRunId().equals("tiny-gqa"))
                                .toList();
                assertThat(gqaReports)
                        .extracting(CheckpointReport::getCheckpoint)
                        .containsExactlyInAnyOrder(30L, 60L);
                for (CheckpointReport r : gqaReports) {
                    assertThat(r.getNumHeads())
                            .as("query heads, each paired with its key head")
                            .isEqualTo(4);
                    assertThat(withoutTimes(AvroJson.toJson(r)))
                            .isEqualTo(
                                    ReportJson.offline(
                                            DumpReader.read(
                                                    dumps.resolve(
                                                            "tiny-gqa-"
                                                                    + r.getCheckpoint()
                                                                    + ".json")),
                                            "tiny-gqa",
                                            r.getCheckpoint()));
                }

                Python.Run alone =
                        Python.run(
                                python.get(),
                                List.of(
                                        "examples/python/train_tiny_transformer.py",
                                        "--no-publish",
                                        "--steps",
                                        "90"));
                assertThat(alone.status()).as(alone.output()).isZero();
                assertThat(lastJsonLine(alone.output()).get("params_sha256").asText())
                        .as("the probe must not change training")
                        .isEqualTo(summary.get("params_sha256").asText());
            }
        }
    }

    static JsonNode lastJsonLine(String output) throws Exception {
        String[] lines = output.strip().split("\n");
        return Json.MAPPER.readTree(lines[lines.length - 1]);
    }
}
