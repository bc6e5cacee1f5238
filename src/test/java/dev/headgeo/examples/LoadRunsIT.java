package dev.headgeo.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.headgeo.app.ProcessorApp;
import dev.headgeo.http.HttpAddress;
import dev.headgeo.kafka.EmbeddedKafka;
import dev.headgeo.stream.HeadgeoStreamsConfig;
import dev.headgeo.stream.StreamSettings;
import dev.headgeo.testing.Golden;
import dev.headgeo.testing.Python;
import dev.headgeo.wire.HeadgeoTopics;
import dev.headgeo.wire.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code headgeo.load_runs} (design §15) against two real instances and a real broker: runs
 * published by the Python client through librdkafka (JSON, and one run in Avro: {@code
 * value_format="avro"}), with ids holding a slash, spaces and non-ASCII letters and the training
 * context as tags, read back over HTTP (from either instance's API, which asks the other) and
 * straight from {@code headgeo.reports}: the same three frames from both sources.
 */
class LoadRunsIT {
    private static final String TOKEN = "load-runs-token";
    private static final List<String> RUNS = List.of("nc-llama/0", "run with spaces", "ünïcode ✓");

    @TempDir Path tmp;

    @Test
    void bothSourcesGiveTheSameFramesForSeveralRuns() throws Exception {
        Optional<String> python =
                Python.withModules("numpy", "confluent_kafka", "fastavro", "pandas");
        assumeTrue(
                python.isPresent(),
                "no python3 with numpy, confluent_kafka, fastavro and pandas"
                        + " (tools/python-venv.sh)");
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            Properties admin = new Properties();
            admin.put("bootstrap.servers", kafka.bootstrapServers());
            try (Admin client = Admin.create(admin)) {
                client.createTopics(
                                List.of(new NewTopic(HeadgeoTopics.DEFAULT_LAYERS, 3, (short) 1)))
                        .all()
                        .get();
            }
            try (ProcessorApp first = start(kafka, "first");
                    ProcessorApp second = start(kafka, "second")) {
                assertThat(first.awaitRunning(Duration.ofSeconds(60))).isTrue();
                assertThat(second.awaitRunning(Duration.ofSeconds(60))).isTrue();
                List<String> dumps = List.of("supported_12x12x64", "partial_12x12x64");
                for (String run : RUNS) {
                    for (int i = 0; i < dumps.size(); i++) {
                        List<String> args =
                                new ArrayList<>(
                                        List.of(
                                                "examples/python/publish_dump.py",
                                                Golden.dumpFile(dumps.get(i), tmp).toString(),
                                                "--run",
                                                run,
                                                "--checkpoint",
                                                Integer.toString(100 * (i + 1)),
                                                "--bootstrap-servers",
                                                kafka.bootstrapServers(),
                                                "--tag",
                                                "loss=" + (3.0 - i),
                                                "--tag",
                                                "learning_rate=3e-4",
                                                "--tag",
                                                "owner=ana"));
                        if (run.equals("ünïcode ✓")) {
                            // this run's records in Avro single-object encoding (v2: tags), the
                            // others as JSON
                            args.addAll(List.of("--value-format", "avro"));
                        }
                        Python.Run published = Python.run(python.get(), args);
                        assertThat(published.status()).as(published.output()).isZero();
                    }
                }
                awaitReports(first, TOKEN, RUNS.size() * dumps.size());

                List<String> check =
                        new ArrayList<>(
                                List.of(
                                        Path.of("src/test/resources/python/load_runs_check.py")
                                                .toString(),
                                        second.httpUrl(),
                                        TOKEN,
                                        kafka.bootstrapServers()));
                check.addAll(RUNS);
                Python.Run run = Python.run(python.get(), check);
                assertThat(run.status()).as(run.output()).isZero();
                String[] lines = run.output().strip().split("\n");
                JsonNode summary = Json.MAPPER.readTree(lines[lines.length - 1]);
                assertThat(summary.get("runs"))
                        .extracting(JsonNode::asText)
                        .containsExactlyInAnyOrderElementsOf(RUNS);
                assertThat(summary.get("all_runs"))
                        .extracting(JsonNode::asText)
                        .containsExactlyInAnyOrderElementsOf(RUNS);
                assertThat(summary.get("checkpoints").asInt()).isEqualTo(6);
                // 12 layers of the three anchors, 12 heads each
                assertThat(summary.get("layers").asInt()).isEqualTo(6 * 3 * 12);
                assertThat(summary.get("heads").asInt()).isEqualTo(6 * 3 * 12 * 12);
                assertThat(summary.get("loss"))
                        .extracting(JsonNode::asDouble)
                        .containsExactly(3.0, 2.0, 3.0, 2.0, 3.0, 2.0);
                assertThat(summary.get("learning_rate"))
                        .extracting(JsonNode::asDouble)
                        .containsOnly(3e-4);
                assertThat(summary.get("grad_norm_nan").asInt())
                        .as("no grad_norm was sent")
                        .isEqualTo(6);
                assertThat(summary.get("verdicts"))
                        .extracting(JsonNode::asText)
                        .containsExactly(
                                "SUPPORTED",
                                "REJECTED",
                                "SUPPORTED",
                                "REJECTED",
                                "SUPPORTED",
                                "REJECTED"); // partial_12x12x64: 0.304 for the last anchor
                // (partially supported for the others)
                assertThat(summary.get("head_residual_nan").asInt()).isZero();
                assertThat(summary.get("missing").asText()).contains("HTTP 404");
                assertThat(summary.get("repr").asText())
                        .isEqualTo("Runs(3 runs, 6 checkpoints, 216 layer rows, 2592 head rows)");
            }
        }
    }

    private ProcessorApp start(EmbeddedKafka kafka, String name) throws java.io.IOException {
        HeadgeoTopics topics = HeadgeoTopics.defaults();
        Properties config =
                HeadgeoStreamsConfig.of(
                        kafka.bootstrapServers(),
                        "load-runs-it",
                        Files.createDirectories(tmp.resolve(name)).toString(),
                        topics,
                        Map.of("commit.interval.ms", "100"));
        return ProcessorApp.start(
                config,
                topics,
                StreamSettings.defaults(),
                true,
                new HttpAddress("127.0.0.1", 0),
                TOKEN);
    }

    /**
     * Waits until {@code app}'s API lists {@code checkpoints} reported checkpoints over all runs.
     */
    static void awaitReports(ProcessorApp app, String token, int checkpoints) throws Exception {
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            var response =
                    http.send(
                            java.net.http.HttpRequest.newBuilder(
                                            java.net.URI.create(app.httpUrl() + "api/runs"))
                                    .header("Authorization", "Bearer " + token)
                                    .build(),
                            java.net.http.HttpResponse.BodyHandlers.ofString());
            last = response.body();
            int reported = 0;
            if (response.statusCode() == 200) {
                for (JsonNode r : Json.MAPPER.readTree(last).get("runs")) {
                    reported += r.get("checkpoints").asInt();
                }
            }
            if (reported == checkpoints) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("not every checkpoint was reported within 60 s: " + last);
    }
}
