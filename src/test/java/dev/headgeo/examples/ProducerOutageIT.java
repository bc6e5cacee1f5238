package dev.headgeo.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.headgeo.app.ProcessorApp;
import dev.headgeo.avro.CheckpointReport;
import dev.headgeo.http.HttpAddress;
import dev.headgeo.kafka.EmbeddedKafka;
import dev.headgeo.stream.HeadgeoStreamsConfig;
import dev.headgeo.stream.StreamSettings;
import dev.headgeo.testing.Python;
import dev.headgeo.testing.ReportReader;
import dev.headgeo.wire.HeadgeoTopics;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Python client through a broker outage longer than librdkafka's old 30 s delivery time-out: a loop keeps
 * publishing (never blocked), and every checkpoint is reported once after the broker is back. With a spool
 * directory, what a job could not hand over before it ended is sent by the next producer given that directory.
 */
class ProducerOutageIT {
    static final Duration OUTAGE = Duration.ofSeconds(45);
    @TempDir
    Path tmp;

    /** A Python process and the lines it printed so far. */
    record Script(Process process, List<String> lines) {
        void awaitLine(String prefix, Duration patience) throws InterruptedException {
            long deadline = System.nanoTime() + patience.toNanos();
            while (System.nanoTime() < deadline) {
                synchronized (lines) {
                    if (lines.stream().anyMatch(l -> l.startsWith(prefix))) {
                        return;
                    }
                }
                Thread.sleep(100);
            }
            throw new AssertionError("no line '" + prefix + "' within " + patience + ": " + lines);
        }

        List<String> finish(Duration patience) throws InterruptedException {
            assertThat(process.waitFor(patience.toSeconds(), TimeUnit.SECONDS)).as("script ended: " + lines).isTrue();
            Thread.sleep(200);
            synchronized (lines) {
                return List.copyOf(lines);
            }
        }
    }

    static Script start(String python, List<String> args) throws Exception {
        List<String> all = new ArrayList<>(List.of("src/test/python/publish_through_outage.py"));
        all.addAll(args);
        Process p = Python.processBuilder(python, all).redirectErrorStream(true).start();
        List<String> lines = Collections.synchronizedList(new ArrayList<>());
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String l; (l = r.readLine()) != null; ) {
                    lines.add(l);
                }
            } catch (java.io.IOException ignored) {
                // the process ended
            }
        });
        reader.setDaemon(true);
        reader.start();
        return new Script(p, lines);
    }

    private ProcessorApp processor(EmbeddedKafka kafka) throws Exception {
        HeadgeoTopics topics = HeadgeoTopics.defaults();
        Properties config = HeadgeoStreamsConfig.of(kafka.bootstrapServers(), "producer-outage-it",
                Files.createDirectories(tmp.resolve("state")).toString(), topics, Map.of("commit.interval.ms", "100"));
        return ProcessorApp.start(config, topics, StreamSettings.defaults(), true, HttpAddress.parse("none"), null);
    }

    static Map<Long, Long> reportedCheckpoints(EmbeddedKafka kafka, String run, int expected) {
        List<CheckpointReport> reports = ReportReader.read(kafka.bootstrapServers(), expected, Duration.ofSeconds(120));
        return reports.stream().filter(r -> r.getRunId().equals(run))
                .collect(Collectors.groupingBy(CheckpointReport::getCheckpoint, Collectors.counting()));
    }

    @Test
    void aLoopPublishingThroughAnOutageLongerThan30SecondsLosesNoCheckpoint() throws Exception {
        var python = Python.withModules("numpy", "confluent_kafka");
        assumeTrue(python.isPresent(), "no python3 with numpy and confluent_kafka");
        try (EmbeddedKafka kafka = EmbeddedKafka.start(); ProcessorApp app = processor(kafka)) {
            assertThat(app.awaitRunning(Duration.ofSeconds(60))).isTrue();
            int checkpoints = 24;
            Script script = start(python.get(), List.of(kafka.bootstrapServers(), "through-outage", String.valueOf(checkpoints), "2"));
            script.awaitLine("delivered 200", Duration.ofSeconds(60));
            kafka.stopKeepingData();
            Thread.sleep(OUTAGE.toMillis());   // the outage itself: its length is the point of the test
            kafka.restart();
            List<String> out = script.finish(Duration.ofSeconds(240));
            assertThat(out).as("nothing failed").noneMatch(l -> l.startsWith("failed")).contains("undelivered 0");
            assertThat(out.stream().filter(l -> l.startsWith("delivered"))).hasSize(checkpoints);
            // never blocked: each publish handed over in well under a second, outage or not
            assertThat(out.stream().filter(l -> l.startsWith("published")).map(l -> Integer.parseInt(l.replaceAll(".* in (\\d+) ms", "$1"))))
                    .allMatch(ms -> ms < 1000);
            Map<Long, Long> reported = reportedCheckpoints(kafka, "through-outage", checkpoints);
            assertThat(reported).as("every checkpoint reported once").hasSize(checkpoints).allSatisfy((c, n) -> assertThat(n).isEqualTo(1L));
        }
    }

    @Test
    void whatAJobCouldNotHandOverIsSentByTheNextProducerWithTheSameSpool() throws Exception {
        var python = Python.withModules("numpy", "confluent_kafka");
        assumeTrue(python.isPresent(), "no python3 with numpy and confluent_kafka");
        Path spool = tmp.resolve("spool");
        try (EmbeddedKafka kafka = EmbeddedKafka.start(); ProcessorApp app = processor(kafka)) {
            assertThat(app.awaitRunning(Duration.ofSeconds(60))).isTrue();
            kafka.stopKeepingData();
            List<String> first = start(python.get(), List.of(kafka.bootstrapServers(), "spooled", "3", "0.1", "--spool", spool.toString(),
                    "--close-timeout", "2")).finish(Duration.ofSeconds(60));
            assertThat(first).as("the job ended with its checkpoints kept").contains("undelivered 12");
            try (var files = Files.list(spool)) {
                assertThat(files.filter(f -> f.toString().endsWith(".jsonl"))).hasSize(3);
            }
            kafka.restart();
            List<String> next = start(python.get(), List.of(kafka.bootstrapServers(), "next-job", "0", "0", "--spool", spool.toString(),
                    "--drain", "--close-timeout", "60")).finish(Duration.ofSeconds(120));
            assertThat(next).contains("undelivered 0");
            try (var files = Files.list(spool)) {
                assertThat(files).as("the spool is empty once Kafka took everything").isEmpty();
            }
            Map<Long, Long> reported = reportedCheckpoints(kafka, "spooled", 3);
            assertThat(reported).containsOnlyKeys(100L, 200L, 300L).allSatisfy((c, n) -> assertThat(n).isEqualTo(1L));
        }
    }
}
