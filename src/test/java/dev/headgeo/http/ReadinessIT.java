package dev.headgeo.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.headgeo.app.ProcessorApp;
import dev.headgeo.kafka.EmbeddedKafka;
import dev.headgeo.stream.HeadgeoStreamsConfig;
import dev.headgeo.stream.StreamSettings;
import dev.headgeo.testing.ReportReader;
import dev.headgeo.testing.RunPublisher;
import dev.headgeo.wire.HeadgeoTopics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * /ready tells the truth: 503 with the cause while the broker is down (Kafka Streams itself stays
 * RUNNING and retries quietly), headgeo_ready follows it, and both are back once the broker is.
 */
class ReadinessIT {
    @TempDir Path tmp;

    @Test
    void readyIs503WithTheCauseWhileTheBrokerIsDownAnd200Again() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            HeadgeoTopics topics = HeadgeoTopics.defaults();
            Properties config =
                    HeadgeoStreamsConfig.of(
                            kafka.bootstrapServers(),
                            "headgeo-ready-it",
                            Files.createDirectories(tmp.resolve("state")).toString(),
                            topics,
                            Map.of("commit.interval.ms", "100"));
            try (ProcessorApp app =
                    ProcessorApp.start(
                            config,
                            topics,
                            StreamSettings.defaults(),
                            true,
                            new HttpAddress("127.0.0.1", 0),
                            null)) {
                assertThat(app.awaitRunning(Duration.ofSeconds(60))).isTrue();
                HttpClientForTests http = new HttpClientForTests(HttpApiIT.port(app), null);
                JsonNode ready = await(http, r -> r.status() == 200, Duration.ofSeconds(30)).json();
                assertThat(ready.get("status").asText()).isEqualTo("READY");
                assertThat(http.get("/metrics").body()).contains("headgeo_ready 1.0");

                kafka.stopKeepingData();
                long stopped = System.nanoTime();
                HttpClientForTests.Response down =
                        await(http, r -> r.status() == 503, Duration.ofSeconds(60));
                System.out.printf(
                        "/ready 503 %.1f s after the broker stopped: %s%n",
                        (System.nanoTime() - stopped) / 1e9, down.body());
                assertThat(down.json().get("status").asText()).isEqualTo("NOT_READY");
                assertThat(down.json().get("cause").asText())
                        .contains("Kafka at " + kafka.bootstrapServers() + " unreachable for");
                assertThat(http.get("/metrics").body())
                        .contains("headgeo_ready 0.0", "headgeo_kafka_reachable 0.0");
                assertThat(http.get("/health").status()).as("alive all the same").isEqualTo(200);

                kafka.restart();
                long restarted = System.nanoTime();
                await(http, r -> r.status() == 200, Duration.ofSeconds(60));
                System.out.printf(
                        "/ready 200 %.1f s after the broker came back%n",
                        (System.nanoTime() - restarted) / 1e9);
                assertThat(http.get("/metrics").body())
                        .contains("headgeo_ready 1.0", "headgeo_kafka_reachable 1.0");
                try (RunPublisher publish = new RunPublisher(kafka.bootstrapServers())) {
                    publish.checkpoint("after-outage", 1, "two_layers");
                }
                assertThat(ReportReader.read(kafka.bootstrapServers(), 1, Duration.ofSeconds(60)))
                        .as("processing resumed")
                        .hasSize(1);
            }
        }
    }

    static HttpClientForTests.Response await(
            HttpClientForTests http,
            Predicate<HttpClientForTests.Response> condition,
            Duration patience)
            throws Exception {
        long deadline = System.nanoTime() + patience.toNanos();
        HttpClientForTests.Response last = null;
        while (System.nanoTime() < deadline) {
            last = http.get("/ready");
            if (condition.test(last)) {
                return last;
            }
            Thread.sleep(200);
        }
        throw new AssertionError(
                "/ready never met the condition within "
                        + patience
                        + "; last: "
                        + (last == null ? "none" : last.body()));
    }
}
