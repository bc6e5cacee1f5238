package dev.headgeo.failures;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.headgeo.avro.CheckpointReport;
import dev.headgeo.client.LayerPublisher;
import dev.headgeo.dump.Dump;
import dev.headgeo.dump.LayerRecords;
import dev.headgeo.dump.SyntheticDumps;
import dev.headgeo.kafka.EmbeddedKafka;
import dev.headgeo.testing.ExternalProgram;
import dev.headgeo.testing.LogFiles;
import dev.headgeo.testing.PreviousRelease;
import dev.headgeo.testing.ReportReader;
import dev.headgeo.wire.HeadgeoTopics;
import dev.headgeo.wire.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A rolling upgrade from release 0.1 (commit 4f86c05, built from this repository's history) under
 * one application id, as operators do it: two old instances; each replaced by today's with
 * --upgrade-from 0.1 (old and new share the work meanwhile); then each bounced again without it.
 * Checkpoints published at every step, some flipping verdicts so alerts are kept in the run state
 * too. Every checkpoint is reported once, nothing valid is dead-lettered, and each run's history is
 * complete at the end.
 */
class RollingUpgradeIT {
    static final String RELEASE_0_1 = "4f86c05";
    static final String APP = "rolling-upgrade-it";
    static final List<String> RUNS = List.of("r0", "r1", "r2");
    @TempDir Path tmp;
    EmbeddedKafka kafka;
    final HttpClient http = HttpClient.newHttpClient();

    record Instance(String name, Process process, int port) {}

    /**
     * Names of the instances started so far, each run's log kept as NAME.log (a name started twice
     * gets a suffix).
     */
    final Map<String, Integer> starts = new java.util.HashMap<>();

    Instance start(String name, Path jar, String... extra) throws Exception {
        int port = ExternalProgram.freePort();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command =
                new ArrayList<>(
                        jar == null
                                ? List.of(
                                        java,
                                        "-Xmx256m",
                                        "-cp",
                                        System.getProperty("java.class.path"),
                                        "dev.headgeo.cli.Main",
                                        "run")
                                : List.of(java, "-Xmx256m", "-jar", jar.toString(), "run"));
        command.addAll(
                List.of(
                        "--bootstrap-servers",
                        kafka.bootstrapServers(),
                        "--application-id",
                        APP,
                        "--state-dir",
                        tmp.resolve("state-" + name).toString(),
                        "--http-address",
                        "127.0.0.1:" + port,
                        "--kafka",
                        "commit.interval.ms=100"));
        command.addAll(List.of(extra));
        int n = starts.merge(name, 1, Integer::sum);
        Path log = tmp.resolve(name + (n == 1 ? "" : "-" + n) + ".log");
        Process p =
                new ProcessBuilder(command)
                        .redirectErrorStream(true)
                        .redirectOutput(log.toFile())
                        .start();
        LogFiles.awaitText(log, "ready:", Duration.ofSeconds(120), p);
        return new Instance(name, p, port);
    }

    static void stop(Instance i) throws InterruptedException {
        i.process().destroy();
        assertThat(i.process().waitFor(60, TimeUnit.SECONDS)).as(i.name() + " stopped").isTrue();
    }

    /**
     * Checkpoint {@code checkpoint} of every run; run r0's residual alternates low and high so its
     * verdict flips.
     */
    void publish(long checkpoint) {
        Properties client = new Properties();
        client.put("bootstrap.servers", kafka.bootstrapServers());
        try (LayerPublisher publisher =
                new LayerPublisher(client, HeadgeoTopics.defaults().layers())) {
            for (String run : RUNS) {
                double noise = run.equals("r0") && (checkpoint / 100) % 2 == 0 ? 2.0 : 0.01;
                Dump dump = SyntheticDumps.generate(6, 4, 8, noise, checkpoint);
                publisher.publish(LayerRecords.split(dump, run, checkpoint, "m", null));
            }
        }
    }

    Map<String, Long> awaitReports(int expected) {
        // every one was seen by then (publishAndAwait); one more would be a duplicate, so give it
        // 15 s to show
        List<CheckpointReport> reports =
                ReportReader.read(kafka.bootstrapServers(), expected + 1, Duration.ofSeconds(15));
        return reports.stream()
                .collect(
                        Collectors.groupingBy(
                                r -> r.getRunId() + "@" + r.getCheckpoint(),
                                Collectors.counting()));
    }

    void publishAndAwait(long checkpoint) {
        publish(checkpoint);
        int expected = (int) (checkpoint / 100) * RUNS.size();
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        Map<String, Long> seen = Map.of();
        while (System.nanoTime() < deadline) {
            seen = awaitReportsQuick(expected);
            if (seen.size() == expected) {
                return;
            }
        }
        throw new AssertionError(
                "reports of " + expected + " checkpoints expected, got " + seen.keySet());
    }

    Map<String, Long> awaitReportsQuick(int expected) {
        List<CheckpointReport> reports =
                ReportReader.read(kafka.bootstrapServers(), expected, Duration.ofSeconds(20));
        return reports.stream()
                .collect(
                        Collectors.groupingBy(
                                r -> r.getRunId() + "@" + r.getCheckpoint(),
                                Collectors.counting()));
    }

    void createTopics(int partitions) throws Exception {
        Properties p = new Properties();
        p.put("bootstrap.servers", kafka.bootstrapServers());
        try (org.apache.kafka.clients.admin.Admin admin =
                org.apache.kafka.clients.admin.Admin.create(p)) {
            admin.createTopics(
                            List.of(
                                            HeadgeoTopics.DEFAULT_LAYERS,
                                            HeadgeoTopics.DEFAULT_REPORTS,
                                            HeadgeoTopics.DEFAULT_ALERTS,
                                            HeadgeoTopics.DEFAULT_DEAD_LETTERS)
                                    .stream()
                                    .map(
                                            t ->
                                                    new org.apache.kafka.clients.admin.NewTopic(
                                                            t, partitions, (short) 1))
                                    .toList())
                    .all()
                    .get();
        }
    }

    long deadLetters() {
        Properties p = new Properties();
        p.put("bootstrap.servers", kafka.bootstrapServers());
        p.put("group.id", "dead-letters-" + System.nanoTime());
        p.put("auto.offset.reset", "earliest");
        long n = 0;
        try (KafkaConsumer<byte[], byte[]> c =
                new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            c.subscribe(List.of(HeadgeoTopics.DEFAULT_DEAD_LETTERS));
            long end = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (System.nanoTime() < end) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                    n++;
                }
            }
        }
        return n;
    }

    JsonNode get(Instance i, String path) throws Exception {
        HttpResponse<String> r =
                http.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + i.port() + path))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(i.name() + " " + path + ": " + r.body()).isEqualTo(200);
        return Json.MAPPER.readTree(r.body());
    }

    @Test
    void fromRelease01ThroughTwoBouncesNothingIsLost() throws Exception {
        Path old = PreviousRelease.jar(RELEASE_0_1);
        try (EmbeddedKafka broker = EmbeddedKafka.start()) {
            kafka = broker;
            createTopics(3);
            Instance a = start("old-a", old);
            Instance b = start("old-b", old);
            publishAndAwait(100);
            publishAndAwait(200);

            // first bounce: today's release, writing what 0.1 reads, beside an old instance
            stop(b);
            b = start("new-b", null, "--upgrade-from", "0.1");
            publishAndAwait(300);
            // the new instance restarts meanwhile: the old one takes over its tasks and reads the
            // state it wrote
            stop(b);
            publishAndAwait(400);
            b = start("new-b", null, "--upgrade-from", "0.1");
            stop(a);
            a = start("new-a", null, "--upgrade-from", "0.1");
            publishAndAwait(500);

            // second bounce: today's formats
            stop(b);
            b = start("new-b2", null);
            publishAndAwait(600);
            stop(a);
            a = start("new-a2", null);
            publishAndAwait(700);

            Map<String, Long> reported = awaitReports(7 * RUNS.size());
            assertThat(reported)
                    .as("every checkpoint reported once")
                    .hasSize(7 * RUNS.size())
                    .allSatisfy((k, n) -> assertThat(n).as(k).isEqualTo(1L));
            assertThat(deadLetters()).as("dead letters").isZero();
            for (String log : List.of("old-a", "old-b")) {
                assertThat(Files.readString(tmp.resolve(log + ".log")))
                        .as(log)
                        .doesNotContain("PROCESSING_ERROR")
                        .doesNotContain("unknown schema fingerprint");
            }
            for (Instance i : List.of(a, b)) {
                for (String run : RUNS) {
                    JsonNode detail = get(i, "/api/runs/" + run);
                    assertThat(detail.get("checkpoints"))
                            .as(i.name() + " " + run + " history")
                            .hasSize(7);
                }
            }
            JsonNode r0 = get(a, "/api/runs/r0");
            assertThat(r0.get("alerts").size())
                    .as("r0's flips kept through the upgrade")
                    .isPositive();
            stop(a);
            stop(b);
        }
    }
}
