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
 * The Python client through a broker outage longer than librdkafka's old 30 s delivery time-out: a
 * loop keeps publishing (never blocked), and every checkpoint is reported once after the broker is
 * back. With a spool directory, what a job could not hand over before it ended is sent by the next
 * producer given that directory.
 */
class ProducerOutageIT {
    static final Duration OUTAGE = Duration.ofSeconds(45);
    @TempDir Path tmp;

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
            assertThat(process.waitFor(patience.toSeconds(), TimeUnit.SECONDS))
                    .as("script ended: " + lines)
                    .isTrue();
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
        Thread reader =
                new Thread(
                        () -> {
                            try (BufferedReader r =
                                    new BufferedReader(
                                            new InputStreamReader(
                                                    p.getInputStream(), StandardCharsets.UTF_8))) {
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
        Properties config =
                HeadgeoStreamsConfig.of(
                        kafka.bootstrapServers(),
                        "producer-outage-it",
                        Files.createDirectories(tmp.resolve("state")).toString(),
                        topics,
                        Map.of("commit.interval.ms", "100"));
        return ProcessorApp.start(
                config, topics, StreamSettings.defaults(), true, HttpAddress.parse("none"), null);
    }

    /** A python3 with numpy and confluent-kafka, or the test is skipped. */
    static java.util.Optional<String> pythonWithKafka() {
        var python = Python.withModules("numpy", "confluent_kafka");
        assumeTrue(python.isPresent(), "no python3 with numpy and confluent_kafka");
        return python;
    }

    static Map<Long, Long> reportedCheckpoints(EmbeddedKafka kafka, String run, int expected) {
        List<CheckpointReport> reports =
                ReportReader.read(kafka.bootstrapServers(), expected, Duration.ofSeconds(120));
        return reports.stream()
                .filter(r -> r.getRunId().equals(run))
                .collect(
                        Collectors.groupingBy(
                                CheckpointReport::getCheckpoint, Collectors.counting()));
    }

    @Test
    void aLoopPublishingThroughAnOutageLongerThan30SecondsLosesNoCheckpoint() throws Exception {
        var python = pythonWithKafka();
        try (EmbeddedKafka kafka = EmbeddedKafka.start();
                ProcessorApp app = processor(kafka)) {
            assertThat(app.awaitRunning(Duration.ofSeconds(60))).isTrue();
            int checkpoints = 24;
            Script script =
                    start(
                            python.get(),
                            List.of(
                                    kafka.bootstrapServers(),
                                    "through-outage",
                                    String.valueOf(checkpoints),
                                    "2"));
            script.awaitLine("delivered 200", Duration.ofSeconds(60));
            kafka.stopKeepingData();
            Thread.sleep(
                    OUTAGE.toMillis()); // the outage itself: its length is the point of the test
            kafka.restart();
            List<String> out = script.finish(Duration.ofSeconds(240));
            assertThat(out)
                    .as("nothing failed")
                    .noneMatch(l -> l.startsWith("failed"))
                    .contains("undelivered 0");
            assertThat(out.stream().filter(l -> l.startsWith("delivered"))).hasSize(checkpoints);
            // never blocked: each publish handed over in well under a second, outage or not
            assertThat(
                            out.stream()
                                    .filter(l -> l.startsWith("published"))
                                    .map(
                                            l ->
                                                    Integer.parseInt(
                                                            l.replaceAll(".* in (\\d+) ms", "$1"))))
                    .allMatch(ms -> ms < 1000);
            Map<Long, Long> reported = reportedCheckpoints(kafka, "through-outage", checkpoints);
            assertThat(reported)
                    .as("every checkpoint reported once")
                    .hasSize(checkpoints)
                    .allSatisfy((c, n) -> assertThat(n).isEqualTo(1L));
        }
    }

    @Test
    void whatAJobCouldNotHandOverIsSentByTheNextProducerWithTheSameSpool() throws Exception {
        var python = pythonWithKafka();
        Path spool = tmp.resolve("spool");
        try (EmbeddedKafka kafka = EmbeddedKafka.start();
                ProcessorApp app = processor(kafka)) {
            assertThat(app.awaitRunning(Duration.ofSeconds(60))).isTrue();
            kafka.stopKeepingData();
            List<String> first =
                    start(
                                    python.get(),
                                    List.of(
                                            kafka.bootstrapServers(),
                                            "spooled",
                                            "3",
                                            "0.1",
                                            "--spool",
                                            spool.toString(),
                                            "--close-timeout",
                                            "2"))
                            .finish(Duration.ofSeconds(60));
            assertThat(first)
                    .as("the job ended with its checkpoints kept")
                    .contains("undelivered 12");
            try (var files = Files.list(spool)) {
                assertThat(files.filter(f -> f.toString().endsWith(".jsonl"))).hasSize(3);
            }
            kafka.restart();
            List<String> next =
                    start(
                                    python.get(),
                                    List.of(
                                            kafka.bootstrapServers(),
                                            "next-job",
                                            "0",
                                            "0",
                                            "--spool",
                                            spool.toString(),
                                            "--drain",
                                            "--close-timeout",
                                            "60"))
                            .finish(Duration.ofSeconds(120));
            assertThat(next).contains("undelivered 0");
            try (var files = Files.list(spool)) {
                assertThat(files).as("the spool is empty once Kafka took everything").isEmpty();
            }
            Map<Long, Long> reported = reportedCheckpoints(kafka, "spooled", 3);
            assertThat(reported)
                    .containsOnlyKeys(100L, 200L, 300L)
                    .allSatisfy((c, n) -> assertThat(n).isEqualTo(1L));
        }
    }

    /**
     * A job stopped by SIGTERM (Slurm preemption) with Kafka away keeps what it had not delivered;
     * the spool it leaves also holds junk, and two next jobs drain it at once: every checkpoint is
     * reported once, each layer record sent once, the junk moved aside with one line per file.
     */
    @Test
    void aSigtermKeepsWhatWasNotDeliveredAndTwoJobsDrainABadSharedSpoolOnce() throws Exception {
        var python = pythonWithKafka();
        Path spool = tmp.resolve("spool");
        try (EmbeddedKafka kafka = EmbeddedKafka.start();
                ProcessorApp app = processor(kafka)) {
            assertThat(app.awaitRunning(Duration.ofSeconds(60))).isTrue();
            kafka.stopKeepingData();
            Script job =
                    start(
                            python.get(),
                            List.of(
                                    kafka.bootstrapServers(),
                                    "preempted",
                                    "3",
                                    "0",
                                    "--spool",
                                    spool.toString(),
                                    "--hold"));
            job.awaitLine("holding", Duration.ofSeconds(60));
            // SIGTERM as a scheduler sends it, through the process handle: Process.destroy() would
            // also close the pipe the job writes to
            assertThat(job.process().toHandle().destroy()).isTrue();
            List<String> said = job.finish(Duration.ofSeconds(30));
            assertThat(job.process().exitValue())
                    .as("it ends as SIGTERM ends it: " + said)
                    .isEqualTo(128 + 15);
            assertThat(said.stream().filter(l -> l.startsWith("headgeo:")))
                    .as(said.toString())
                    .hasSize(1)
                    .allMatch(
                            l ->
                                    l.startsWith(
                                                    "headgeo: SIGTERM: 3 checkpoint(s) not yet"
                                                            + " delivered to Kafka at")
                                            && l.contains("kept in " + spool));
            List<Path> kept;
            try (var files = Files.list(spool)) {
                kept = files.filter(f -> f.toString().endsWith(".jsonl")).toList();
            }
            assertThat(kept).hasSize(3);
            assertThat(Files.getPosixFilePermissions(kept.get(0)))
                    .containsExactlyInAnyOrder(
                            java.nio.file.attribute.PosixFilePermission.OWNER_READ,
                            java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
            Files.write(
                    spool.resolve("random.jsonl"),
                    new java.util.Random(7)
                            .ints(400, 0, 256)
                            .collect(
                                    java.io.ByteArrayOutputStream::new,
                                    java.io.ByteArrayOutputStream::write,
                                    (a, b) -> {})
                            .toByteArray());
            Files.write(spool.resolve("empty.jsonl"), new byte[0]);
            Files.createDirectory(spool.resolve("a-directory.jsonl"));
            Files.createSymbolicLink(spool.resolve("dangling.jsonl"), spool.resolve("nowhere"));
            byte[] whole = Files.readAllBytes(kept.get(0));
            Files.write(
                    spool.resolve("cut-short.jsonl"),
                    java.util.Arrays.copyOf(whole, whole.length / 2));

            kafka.restart();
            Script a =
                    start(
                            python.get(),
                            List.of(
                                    kafka.bootstrapServers(),
                                    "next-a",
                                    "0",
                                    "0",
                                    "--spool",
                                    spool.toString(),
                                    "--drain",
                                    "--close-timeout",
                                    "60"));
            Script b =
                    start(
                            python.get(),
                            List.of(
                                    kafka.bootstrapServers(),
                                    "next-b",
                                    "0",
                                    "0",
                                    "--spool",
                                    spool.toString(),
                                    "--drain",
                                    "--close-timeout",
                                    "60"));
            List<String> outA = a.finish(Duration.ofSeconds(120));
            List<String> outB = b.finish(Duration.ofSeconds(120));
            assertThat(outA).contains("undelivered 0");
            assertThat(outB).contains("undelivered 0");
            List<String> refused = new ArrayList<>(outA);
            refused.addAll(outB);
            refused.removeIf(l -> !l.contains(" is not sent: "));
            assertThat(refused)
                    .as("one line per bad file, from whichever job claimed it")
                    .hasSize(5);
            try (var files = Files.list(spool.resolve("rejected"))) {
                assertThat(files.map(f -> f.getFileName().toString()))
                        .containsExactlyInAnyOrder(
                                "random.jsonl",
                                "empty.jsonl",
                                "a-directory.jsonl",
                                "dangling.jsonl",
                                "cut-short.jsonl");
            }
            Map<Long, Long> reported = reportedCheckpoints(kafka, "preempted", 3);
            assertThat(reported)
                    .containsOnlyKeys(100L, 200L, 300L)
                    .allSatisfy((c, n) -> assertThat(n).isEqualTo(1L));
            assertThat(layerRecordsOf(kafka, "preempted", 12))
                    .as("each layer record sent once")
                    .isEqualTo(12);
        }
    }

    /**
     * How many records of {@code run} the layers topic holds, read until {@code expected} are seen
     * or a quiet spell after them.
     */
    static int layerRecordsOf(EmbeddedKafka kafka, String run, int expected) {
        Properties p = new Properties();
        p.put("bootstrap.servers", kafka.bootstrapServers());
        p.put("group.id", "count-" + System.nanoTime());
        p.put("auto.offset.reset", "earliest");
        int seen = 0;
        try (var c =
                new org.apache.kafka.clients.consumer.KafkaConsumer<>(
                        p,
                        new org.apache.kafka.common.serialization.StringDeserializer(),
                        new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
            c.subscribe(List.of(HeadgeoTopics.DEFAULT_LAYERS));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            int quietPolls = 0;
            while (System.nanoTime() < deadline && (seen < expected || quietPolls < 5)) {
                var records = c.poll(Duration.ofMillis(200));
                quietPolls = records.isEmpty() ? quietPolls + 1 : 0;
                for (var r : records) {
                    if (run.equals(r.key())) {
                        seen++;
                    }
                }
            }
        }
        return seen;
    }

    /**
     * A second job reusing a run id hears in one line that its checkpoint was dead-lettered LATE,
     * not that the processor is away.
     */
    @Test
    void aReusedRunIdIsSaidInOneLine() throws Exception {
        var python = Python.withModules("numpy", "confluent_kafka", "fastavro");
        assumeTrue(
                python.isPresent(),
                "no python3 with numpy, confluent_kafka and fastavro (tools/python-venv.sh)");
        try (EmbeddedKafka kafka = EmbeddedKafka.start();
                ProcessorApp app = processor(kafka)) {
            assertThat(app.awaitRunning(Duration.ofSeconds(60))).isTrue();
            Python.Run first =
                    Python.run(
                            python.get(),
                            List.of(
                                    "src/test/python/publish_and_follow.py",
                                    kafka.bootstrapServers(),
                                    "reused",
                                    "7"));
            assertThat(first.output())
                    .as(first.output())
                    .contains("report 7")
                    .doesNotContain("LATE");
            Python.Run second =
                    Python.run(
                            python.get(),
                            List.of(
                                    "src/test/python/publish_and_follow.py",
                                    kafka.bootstrapServers(),
                                    "reused",
                                    "7"));
            assertThat(second.output())
                    .as(second.output())
                    .contains("no report")
                    .contains(
                            "checkpoint 7 of reused was dead-lettered LATE: run reused already had"
                                    + " a report for it, so another job uses");
        }
    }
}
