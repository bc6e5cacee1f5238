package dev.headgeo.failures;

import static org.assertj.core.api.Assertions.assertThat;

import dev.headgeo.app.ProcessorApp;
import dev.headgeo.avro.CheckpointReport;
import dev.headgeo.avro.LayerGeometry;
import dev.headgeo.cli.CliTesting;
import dev.headgeo.dump.LayerRecords;
import dev.headgeo.kafka.EmbeddedKafka;
import dev.headgeo.stream.DeadLetters;
import dev.headgeo.stream.HeadgeoStreamsConfig;
import dev.headgeo.stream.StreamSettings;
import dev.headgeo.testing.ExternalProgram;
import dev.headgeo.testing.Golden;
import dev.headgeo.testing.LogFiles;
import dev.headgeo.testing.ReportReader;
import dev.headgeo.testing.RunPublisher;
import dev.headgeo.wire.HeadgeoTopics;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What an operator sees when things go wrong: dead addresses, a crash, an absurd record, a record
 * larger than the broker's default.
 */
class ResilienceIT {
    @TempDir Path tmp;

    @Test
    void aDeadAddressIsOneLineWithTheCauseWithinSeconds() {
        String dead = "127.0.0.1:" + ExternalProgram.freePort();
        for (String[] args :
                List.of(
                        new String[] {
                            "run",
                            "--bootstrap-servers",
                            dead,
                            "--http-address",
                            "none",
                            "--state-dir",
                            tmp.resolve("s").toString()
                        },
                        new String[] {
                            "publish",
                            Golden.dumpFile("two_layers", tmp).toString(),
                            "--run",
                            "r",
                            "--checkpoint",
                            "1",
                            "--bootstrap-servers",
                            dead
                        },
                        new String[] {"watch", "--bootstrap-servers", dead},
                        new String[] {
                            "forward", "--to", "http://127.0.0.1:1/", "--bootstrap-servers", dead
                        })) {
            long t0 = System.nanoTime();
            CliTesting.Result r = CliTesting.run(args);
            double seconds = (System.nanoTime() - t0) / 1e9;

            assertThat(r.status()).as(args[0]).isEqualTo(2);
            assertThat(r.err().strip().lines()).as(args[0]).hasSize(1);
            assertThat(r.err())
                    .as(args[0])
                    .contains(
                            "headgeo "
                                    + args[0]
                                    + ": cannot reach Kafka: "
                                    + dead
                                    + ": connection refused");
            assertThat(seconds).as(args[0]).isLessThan(15);
        }
    }

    @Test
    void aProcessorKilledMidRunIsBackWithin15SecondsAndReportsEachCheckpointOnce()
            throws Exception {
        long rocksDbCopiesBefore = rocksDbCopiesInTmp();
        try (EmbeddedKafka kafka = EmbeddedKafka.start();
                RunPublisher publish = new RunPublisher(kafka.bootstrapServers())) {
            Process first = processor(kafka, "first");
            try {
                LogFiles.awaitText(
                        tmp.resolve("first.log"), "ready:", Duration.ofSeconds(60), first);
                LayerGeometry absurd =
                        LayerRecords.split(Golden.dump("two_layers"), "crash-run", 1, null, null)
                                .get(0);
                absurd.setNumLayers(Integer.MAX_VALUE);
                publishRaw(kafka, absurd);
                publish.checkpoint("crash-run", 1, "two_layers");
                assertThat(awaitReports(kafka, 1, Duration.ofSeconds(30))).containsExactly(1L);
            } finally {
                first.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            publish.checkpoint("crash-run", 2, "ragged_ranks");
            long restarted = System.nanoTime();
            Process second = processor(kafka, "second");
            try {
                List<Long> reports = awaitReports(kafka, 2, Duration.ofSeconds(30));
                double seconds = (System.nanoTime() - restarted) / 1e9;
                System.out.printf("restart after kill -9 to the first report: %.1f s%n", seconds);
                // 5.7 s on a quiet machine (README); the margin holds beside CPU hogs and other
                // builds
                assertThat(seconds).as("first report after the restart").isLessThan(40);
                Thread.sleep(2000);
                assertThat(awaitReports(kafka, 3, Duration.ofSeconds(1)))
                        .as("exactly one report per checkpoint")
                        .containsExactly(1L, 2L);
                assertThat(reports).containsExactly(1L, 2L);
                assertThat(Files.readString(tmp.resolve("second.log"))).contains("ready:");
                assertThat(Files.readString(tmp.resolve("first.log")))
                        .contains("dead letter INVALID", "num_layers is 2147483647");
            } finally {
                second.destroy();
                assertThat(second.waitFor(10, TimeUnit.SECONDS)).isTrue();
                assertThat(second.exitValue())
                        .as("exit status after SIGTERM and a clean stop")
                        .isZero();
            }
            assertThat(Files.readString(tmp.resolve("second.log")))
                    .contains("shutting down", "stopped");
        }
        assertThat(rocksDbCopiesInTmp())
                .as("RocksDB's native library is not left in /tmp")
                .isEqualTo(rocksDbCopiesBefore);
    }

    @Test
    void aRecordLargerThanAMegabyteIsDeadLetteredCutAndTheRecordsBehindItAreReported()
            throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            Properties client = new Properties();
            client.put("bootstrap.servers", kafka.bootstrapServers());
            try (Admin admin = Admin.create(client)) {
                admin.createTopics(
                                List.of(
                                        new NewTopic(HeadgeoTopics.DEFAULT_LAYERS, 1, (short) 1)
                                                .configs(
                                                        Map.of(
                                                                "max.message.bytes",
                                                                Integer.toString(
                                                                        5 * 1024 * 1024)))))
                        .all()
                        .get();
            }
            HeadgeoTopics topics = HeadgeoTopics.defaults();
            var config =
                    HeadgeoStreamsConfig.of(
                            kafka.bootstrapServers(),
                            "headgeo-large-it",
                            Files.createDirectories(tmp.resolve("state")).toString(),
                            topics,
                            Map.of("commit.interval.ms", "100"));
            try (ProcessorApp app =
                            ProcessorApp.start(
                                    config, topics, StreamSettings.defaults(), true, null, null);
                    RunPublisher publish = new RunPublisher(kafka.bootstrapServers())) {
                assertThat(app.awaitRunning(Duration.ofSeconds(60))).isTrue();
                Properties big = new Properties();
                big.putAll(client);
                big.put("max.request.size", Integer.toString(6 * 1024 * 1024));
                byte[] huge = new byte[2 * 1024 * 1024];
                java.util.Arrays.fill(huge, (byte) 'x');
                try (KafkaProducer<byte[], byte[]> producer =
                        new KafkaProducer<>(
                                big, new ByteArraySerializer(), new ByteArraySerializer())) {
                    producer.send(
                                    new ProducerRecord<>(
                                            HeadgeoTopics.DEFAULT_LAYERS,
                                            "big-run".getBytes(StandardCharsets.UTF_8),
                                            huge))
                            .get();
                }
                long t0 = System.nanoTime();
                publish.checkpoint("big-run", 1, "two_layers");
                assertThat(awaitReports(kafka, 1, Duration.ofSeconds(30))).containsExactly(1L);
                assertThat((System.nanoTime() - t0) / 1e9)
                        .as("the record behind it is reported")
                        .isLessThan(10);

                ConsumerRecord<byte[], byte[]> dead =
                        readOne(kafka, HeadgeoTopics.DEFAULT_DEAD_LETTERS);
                assertThat(
                                new String(
                                        dead.headers()
                                                .lastHeader(DeadLetters.REASON_HEADER)
                                                .value(),
                                        StandardCharsets.UTF_8))
                        .isEqualTo("TOO_LARGE");
                assertThat(
                                new String(
                                        dead.headers()
                                                .lastHeader(DeadLetters.TRUNCATED_HEADER)
                                                .value(),
                                        StandardCharsets.UTF_8))
                        .isEqualTo(Integer.toString(huge.length));
                assertThat(dead.value()).hasSize(64 * 1024);
                assertThat(app.state().toString()).isEqualTo("RUNNING");
            }
        }
    }

    Process processor(EmbeddedKafka kafka, String name) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(
                        java,
                        "-cp",
                        System.getProperty("java.class.path"),
                        "dev.headgeo.cli.Main",
                        "run",
                        "--bootstrap-servers",
                        kafka.bootstrapServers(),
                        "--state-dir",
                        tmp.resolve("state").toString(),
                        "--instance-id",
                        "resilience-1",
                        "--http-address",
                        "none",
                        "--application-id",
                        "headgeo-crash-it")
                .redirectErrorStream(true)
                .redirectOutput(tmp.resolve(name + ".log").toFile())
                .start();
    }

    static void publishRaw(EmbeddedKafka kafka, LayerGeometry layer) {
        Properties client = new Properties();
        client.put("bootstrap.servers", kafka.bootstrapServers());
        try (dev.headgeo.client.LayerPublisher p =
                new dev.headgeo.client.LayerPublisher(client, HeadgeoTopics.defaults().layers())) {
            p.publish(List.of(layer));
        }
    }

    /**
     * Checkpoints of every report on the topic (committed), waiting until there are {@code count}
     * or the patience ends.
     */
    static List<Long> awaitReports(EmbeddedKafka kafka, int count, Duration patience) {
        return ReportReader.read(kafka.bootstrapServers(), count, patience).stream()
                .map(CheckpointReport::getCheckpoint)
                .toList();
    }

    static ConsumerRecord<byte[], byte[]> readOne(EmbeddedKafka kafka, String topic) {
        Properties p = new Properties();
        p.put("bootstrap.servers", kafka.bootstrapServers());
        p.put("group.id", "reader-" + System.nanoTime());
        p.put("auto.offset.reset", "earliest");
        p.put("isolation.level", "read_committed");
        try (KafkaConsumer<byte[], byte[]> c =
                new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            c.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                    return r;
                }
            }
        }
        throw new AssertionError("nothing on " + topic);
    }

    static long rocksDbCopiesInTmp() {
        File[] files =
                new File(System.getProperty("java.io.tmpdir"))
                        .listFiles((d, n) -> n.startsWith("librocksdbjni"));
        return files == null ? 0 : files.length;
    }
}
