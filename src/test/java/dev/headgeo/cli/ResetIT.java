package dev.headgeo.cli;

import static dev.headgeo.testing.ReportJson.withoutTimes;
import static org.assertj.core.api.Assertions.assertThat;

import dev.headgeo.avro.CheckpointReport;
import dev.headgeo.client.TopicCreator;
import dev.headgeo.kafka.EmbeddedKafka;
import dev.headgeo.stream.HeadgeoService;
import dev.headgeo.stream.HeadgeoStreamsConfig;
import dev.headgeo.stream.StreamSettings;
import dev.headgeo.testing.ReportReader;
import dev.headgeo.testing.RunPublisher;
import dev.headgeo.wire.AvroJson;
import dev.headgeo.wire.HeadgeoTopics;
import dev.headgeo.wire.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code headgeo reset} on a real broker: refused while an instance runs, a dry run changes
 * nothing, then the application's changelogs and local state are gone and the next start reports
 * every checkpoint again with the same numbers (the history starts over, as Kafka's StreamsResetter
 * and KafkaStreams#cleanUp leave it).
 */
class ResetIT {
    private static final String APP = "reset-it";

    @TempDir Path tmp;

    @Test
    void aStoppedApplicationStartsOverAndReportsItsCheckpointsAgain() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            HeadgeoTopics topics = HeadgeoTopics.defaults();
            Path stateDir = Files.createDirectories(tmp.resolve("state"));
            Properties config =
                    HeadgeoStreamsConfig.of(
                            kafka.bootstrapServers(),
                            APP,
                            stateDir.toString(),
                            topics,
                            Map.of("commit.interval.ms", "100"));
            TopicCreator.createMissing(config, topics.names());
            String[] reset = {
                "reset",
                "--bootstrap-servers",
                kafka.bootstrapServers(),
                "--application-id",
                APP,
                "--state-dir",
                stateDir.toString()
            };

            List<CheckpointReport> first;
            try (HeadgeoService service =
                            HeadgeoService.start(config, topics, StreamSettings.defaults());
                    RunPublisher publish = new RunPublisher(kafka.bootstrapServers())) {
                assertThat(service.awaitRunning(Duration.ofSeconds(60))).isTrue();
                publish.checkpoint("r", 100, "supported_12x12x64");
                publish.checkpoint("r", 200, "rejected_12x12x64");
                first = ReportReader.read(kafka.bootstrapServers(), 2, Duration.ofSeconds(60));

                CliRunner.Result whileRunning = CliRunner.run(reset);
                assertThat(whileRunning.status()).as(whileRunning.err()).isEqualTo(1);
                assertThat(whileRunning.err().strip().lines()).hasSize(1);
                assertThat(whileRunning.err())
                        .contains(
                                "application reset-it still has 1 member(s)",
                                "stop every instance first");
            }
            assertThat(changelogs(kafka)).isNotEmpty();
            assertThat(taskDirectories(stateDir)).isNotEmpty();

            CliRunner.Result dry = CliRunner.run(concat(reset, "--dry-run"));
            assertThat(dry.status()).as(dry.err()).isZero();
            assertThat(dry.out()).contains("reset: dry run, nothing changed");
            assertThat(changelogs(kafka)).isNotEmpty();
            assertThat(taskDirectories(stateDir)).isNotEmpty();

            CliRunner.Result done = CliRunner.run(reset);
            assertThat(done.status()).as(done.err()).isZero();
            assertThat(done.out())
                    .contains(
                            "reset: reset-it starts over from the earliest records of"
                                    + " headgeo.layers",
                            "local state deleted");
            assertThat(changelogs(kafka)).as("the stores' changelogs deleted").isEmpty();
            assertThat(taskDirectories(stateDir)).as("the local stores deleted").isEmpty();

            try (HeadgeoService again =
                    HeadgeoService.start(config, topics, StreamSettings.defaults())) {
                assertThat(again.awaitRunning(Duration.ofSeconds(60))).isTrue();
                List<CheckpointReport> all =
                        ReportReader.read(kafka.bootstrapServers(), 4, Duration.ofSeconds(60));
                assertThat(all)
                        .extracting(CheckpointReport::getCheckpoint)
                        .containsExactly(100L, 200L, 100L, 200L);
                for (int i = 0; i < 2; i++) {
                    assertThat(
                                    withoutTimes(
                                            Json.MAPPER.readTree(
                                                    AvroJson.toJsonLine(all.get(i + 2)))))
                            .as(
                                    "checkpoint %d reported again with the same numbers",
                                    first.get(i).getCheckpoint())
                            .isEqualTo(
                                    withoutTimes(
                                            Json.MAPPER.readTree(
                                                    AvroJson.toJsonLine(first.get(i)))));
                }
            }
        }
    }

    private static Set<String> changelogs(EmbeddedKafka kafka) throws Exception {
        Properties p = new Properties();
        p.put("bootstrap.servers", kafka.bootstrapServers());
        try (Admin admin = Admin.create(p)) {
            return admin.listTopics().names().get().stream()
                    .filter(t -> t.startsWith(APP + "-"))
                    .collect(java.util.stream.Collectors.toSet());
        }
    }

    /**
     * The task directories (0_0, 0_1, …) of the application's local state, where its stores live.
     */
    private static List<String> taskDirectories(Path stateDir) throws java.io.IOException {
        Path app = stateDir.resolve(APP);
        if (!Files.isDirectory(app)) {
            return List.of();
        }
        try (var entries = Files.list(app)) {
            return entries.filter(Files::isDirectory)
                    .map(p -> p.getFileName().toString())
                    .filter(n -> n.matches("\\d+_\\d+"))
                    .toList();
        }
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
