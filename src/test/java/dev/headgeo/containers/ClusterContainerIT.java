package dev.headgeo.containers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.headgeo.avro.CheckpointReport;
import dev.headgeo.testing.LocalImages;
import dev.headgeo.testing.ReportReader;
import dev.headgeo.testing.RunPublisher;
import dev.headgeo.wire.Json;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.ContainerState;
import org.testcontainers.containers.DockerComposeContainer;

/**
 * docker-compose.cluster.yml as shipped (three KRaft brokers with replication factor 3 and
 * min.insync.replicas 2, two headgeo instances, Prometheus, Alertmanager), brought up by
 * Testcontainers through Debian's docker-compose: a broker container killed, then a headgeo
 * container killed, while runs publish; no checkpoint lost, none reported twice, every run answered
 * by the surviving instance.
 */
class ClusterContainerIT {
    static final String BOOTSTRAP = "localhost:9092,localhost:9192,localhost:9292";
    static final List<String> RUNS =
            IntStream.range(0, 6).mapToObj(i -> "cluster-run-" + i).toList();
    static final List<String> FIXTURES =
            List.of("supported_12x12x64", "partial_12x12x64", "rejected_12x12x64");
    final HttpClient http = HttpClient.newHttpClient();

    @Test
    void survivesAKilledBrokerAndAKilledHeadgeoWithEachCheckpointReportedOnce() throws Exception {
        String missing =
                LocalImages.missing(
                        "KAFKA_IMAGE", "HEADGEO_IMAGE", "PROMETHEUS_IMAGE", "ALERTMANAGER_IMAGE");
        assumeTrue(missing == null, missing);
        try (DockerComposeContainer<?> cluster =
                new DockerComposeContainer<>(new File("docker-compose.cluster.yml"))
                        .withLocalCompose(true)
                        .withPull(false)
                        .withBuild(false)
                        .withEnv(LocalImages.variables())
                        .withRemoveVolumes(true)) {
            long t0 = System.nanoTime();
            cluster.start();
            awaitReady("http://localhost:8080", Duration.ofMinutes(4));
            awaitReady("http://localhost:8081", Duration.ofMinutes(4));
            System.out.printf(
                    "cluster up, both headgeo instances ready: %.0f s%n",
                    (System.nanoTime() - t0) / 1e9);

            publish(100);
            awaitExactlyOnce(RUNS.size());

            kill(cluster, "kafka-2");
            long killed = System.nanoTime();
            publish(200);
            awaitExactlyOnce(2 * RUNS.size());
            System.out.printf(
                    "kafka-2 killed: every run's next checkpoint reported %.1f s later%n",
                    (System.nanoTime() - killed) / 1e9);

            kill(cluster, "headgeo-1");
            killed = System.nanoTime();
            publish(300);
            awaitExactlyOnce(3 * RUNS.size());
            System.out.printf(
                    "headgeo-1 killed: every run's next checkpoint reported %.1f s later%n",
                    (System.nanoTime() - killed) / 1e9);

            JsonNode runs = Json.MAPPER.readTree(get("http://localhost:8081/api/runs").body());
            assertThat(runs.get("runs")).hasSize(RUNS.size());
            for (String run : RUNS) {
                JsonNode detail =
                        Json.MAPPER.readTree(get("http://localhost:8081/api/runs/" + run).body());
                assertThat(detail.get("checkpoints")).as(run).hasSize(3);
            }
        }
    }

    static void publish(long checkpoint) {
        try (RunPublisher publish = new RunPublisher(BOOTSTRAP)) {
            for (int r = 0; r < RUNS.size(); r++) {
                publish.checkpoint(
                        RUNS.get(r),
                        checkpoint,
                        FIXTURES.get((int) ((r + checkpoint / 100) % FIXTURES.size())));
            }
        }
    }

    static void awaitExactlyOnce(int count) {
        List<CheckpointReport> reports =
                ReportReader.read(BOOTSTRAP, count, Duration.ofSeconds(180));
        assertThat(reports).as("reports").hasSize(count);
        Set<String> distinct = new HashSet<>();
        reports.forEach(r -> distinct.add(r.getRunId() + "@" + r.getCheckpoint()));
        assertThat(distinct).as("one report per checkpoint").hasSize(count);
        assertThat(ReportReader.read(BOOTSTRAP, count + 1, Duration.ofSeconds(3)))
                .as("no report twice")
                .hasSize(count);
    }

    static void kill(DockerComposeContainer<?> cluster, String service) {
        ContainerState c =
                cluster.getContainerByServiceName(service + "_1")
                        .or(() -> cluster.getContainerByServiceName(service))
                        .orElseThrow(() -> new AssertionError("no container for " + service));
        DockerClientFactory.instance().client().killContainerCmd(c.getContainerId()).exec();
    }

    void awaitReady(String base, Duration patience) throws Exception {
        long deadline = System.nanoTime() + patience.toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<String> r =
                        http.send(
                                HttpRequest.newBuilder(URI.create(base + "/ready"))
                                        .timeout(Duration.ofSeconds(5))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
                last = r.body();
            } catch (java.io.IOException notYet) {
                last = notYet.toString();
            }
            Thread.sleep(500);
        }
        throw new AssertionError(base + " not ready within " + patience + ": " + last);
    }

    HttpResponse<String> get(String url) throws Exception {
        HttpResponse<String> r =
                http.send(
                        HttpRequest.newBuilder(URI.create(url))
                                .timeout(Duration.ofSeconds(10))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(url + ": " + r.body()).isEqualTo(200);
        return r;
    }
}
