package dev.headgeo.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.headgeo.app.ProcessorApp;
import dev.headgeo.client.LayerPublisher;
import dev.headgeo.dump.LayerRecords;
import dev.headgeo.kafka.EmbeddedKafka;
import dev.headgeo.stream.HeadgeoStreamsConfig;
import dev.headgeo.stream.StreamSettings;
import dev.headgeo.testing.Golden;
import dev.headgeo.wire.HeadgeoTopics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two instances on topics of one partition: one holds the task, the other none (or only a standby
 * copy). Both answer every run, and neither is listed in missing_instances: an instance without
 * tasks is idle, not missing.
 */
class IdleInstanceIT {
    @TempDir Path tmp;

    @Test
    void anInstanceWithoutTasksIsNotMissing() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            // the broker's default of one partition for every topic run creates
            try (ProcessorApp first = start(kafka, "first");
                    ProcessorApp second = start(kafka, "second")) {
                assertThat(first.awaitRunning(Duration.ofSeconds(60))).isTrue();
                assertThat(second.awaitRunning(Duration.ofSeconds(60))).isTrue();
                Properties client = new Properties();
                client.put("bootstrap.servers", kafka.bootstrapServers());
                try (LayerPublisher publisher =
                        new LayerPublisher(client, HeadgeoTopics.defaults().layers())) {
                    publisher.publish(
                            LayerRecords.split(Golden.dump("two_layers"), "solo", 100, "m", null));
                }
                List<HttpClientForTests> instances =
                        List.of(
                                new HttpClientForTests(HttpApiIT.port(first), null),
                                new HttpClientForTests(HttpApiIT.port(second), null));
                for (HttpClientForTests instance : instances) {
                    JsonNode runs = awaitRun(instance, "solo");
                    assertThat(runs.get("missing_instances")).as(runs.toString()).isEmpty();
                    JsonNode run = instance.json("/api/runs/solo");
                    assertThat(run.get("checkpoints")).as(run.toString()).hasSize(1);
                    // a run found answers whole; only a fan-out that lacks an instance names it
                    assertThat(run.path("missing_instances").size()).as(run.toString()).isZero();
                    JsonNode alerts = instance.json("/api/alerts");
                    assertThat(alerts.get("missing_instances")).as(alerts.toString()).isEmpty();
                }
            }
        }
    }

    private ProcessorApp start(EmbeddedKafka kafka, String name) throws Exception {
        HeadgeoTopics topics = HeadgeoTopics.defaults();
        Properties config =
                HeadgeoStreamsConfig.of(
                        kafka.bootstrapServers(),
                        "idle-instance-it",
                        Files.createDirectories(tmp.resolve(name)).toString(),
                        topics,
                        Map.of("commit.interval.ms", "100"));
        return ProcessorApp.start(
                config,
                topics,
                StreamSettings.defaults(),
                true,
                new HttpAddress("127.0.0.1", 0),
                null);
    }

    /** /api/runs of an instance once it lists the run. */
    private static JsonNode awaitRun(HttpClientForTests instance, String run) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        JsonNode runs = null;
        while (System.nanoTime() < deadline) {
            runs = instance.json("/api/runs");
            for (JsonNode r : runs.get("runs")) {
                if (r.get("run_id").asText().equals(run) && r.get("checkpoints").asInt() == 1) {
                    return runs;
                }
            }
            Thread.sleep(200);
        }
        throw new AssertionError("run " + run + " not listed within 60 s: " + runs);
    }
}
