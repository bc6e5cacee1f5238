package dev.headgeo.containers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.headgeo.avro.CheckpointReport;
import dev.headgeo.testing.Golden;
import dev.headgeo.testing.LocalImages;
import dev.headgeo.testing.ReportJson;
import dev.headgeo.testing.ReportReader;
import dev.headgeo.testing.RunPublisher;
import dev.headgeo.wire.AvroJson;
import dev.headgeo.wire.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * headgeo's own image, as users run it: a container beside a Kafka container on one network, fed
 * from the host; its reports equal the offline analysis and its HTTP API (published port) answers
 * for the run.
 */
class HeadgeoImageContainerIT {
    @Test
    void theImageProcessesARunEndToEndAndServesItsPages() throws Exception {
        String missing = LocalImages.missing("KAFKA_IMAGE", "HEADGEO_IMAGE");
        assumeTrue(missing == null, missing);
        DockerImageName kafkaImage =
                DockerImageName.parse(LocalImages.image("KAFKA_IMAGE"))
                        .asCompatibleSubstituteFor("apache/kafka");
        try (Network network = Network.newNetwork();
                KafkaContainer kafka =
                        new KafkaContainer(kafkaImage)
                                .withNetwork(network)
                                .withListener("kafka:19092");
                GenericContainer<?> headgeo =
                        new GenericContainer<>(
                                        DockerImageName.parse(LocalImages.image("HEADGEO_IMAGE")))
                                .withNetwork(network)
                                .withNetworkAliases("headgeo")
                                .withCreateContainerCmdModifier(c -> c.withHostName("headgeo"))
                                .withEnv("HEADGEO_BOOTSTRAP_SERVERS", "kafka:19092")
                                .withEnv("HEADGEO_HTTP_ADDRESS", "0.0.0.0:8080")
                                .withExposedPorts(8080)
                                .waitingFor(
                                        Wait.forHttp("/ready")
                                                .forStatusCode(200)
                                                .withStartupTimeout(Duration.ofMinutes(3)))) {
            kafka.start();
            headgeo.start();
            String api = "http://" + headgeo.getHost() + ":" + headgeo.getMappedPort(8080);
            try (RunPublisher publish = new RunPublisher(kafka.getBootstrapServers())) {
                publish.checkpoint("container-run", 100, "supported_12x12x64");
                publish.checkpoint("container-run", 200, "rejected_12x12x64");
            }
            List<CheckpointReport> reports =
                    ReportReader.read(kafka.getBootstrapServers(), 2, Duration.ofSeconds(90));
            assertThat(reports)
                    .extracting(CheckpointReport::getCheckpoint)
                    .containsExactlyInAnyOrder(100L, 200L);
            for (CheckpointReport r : reports) {
                String fixture =
                        r.getCheckpoint() == 100 ? "supported_12x12x64" : "rejected_12x12x64";
                assertThat(ReportJson.withoutTimes(AvroJson.toJson(r)))
                        .isEqualTo(
                                ReportJson.offline(
                                        Golden.dump(fixture), "container-run", r.getCheckpoint()));
            }
            HttpClient http = HttpClient.newHttpClient();
            JsonNode run = Json.MAPPER.readTree(get(http, api + "/api/runs/container-run"));
            assertThat(run.get("checkpoints")).hasSize(2);
            assertThat(run.get("alerts").get(0).get("type").asText()).isEqualTo("VERDICT_FLIP");
            assertThat(get(http, api + "/")).contains("<title>");
            assertThat(get(http, api + "/metrics"))
                    .contains("headgeo_run_verdict{anchor=\"LAST\",run_id=\"container-run\"} 2.0");
            assertThat(headgeo.getLogs())
                    .contains("ready:", "dashboard, API and metrics at http://headgeo:8080/");
        }
    }

    static String get(HttpClient http, String url) throws Exception {
        HttpResponse<String> r =
                http.send(
                        HttpRequest.newBuilder(URI.create(url))
                                .timeout(Duration.ofSeconds(10))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(url + ": " + r.body()).isEqualTo(200);
        return r.body();
    }
}
