package dev.headgeo.examples;

import static dev.headgeo.testing.ReportJson.withoutTimes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.headgeo.analysis.Anchor;
import dev.headgeo.analysis.SaScheduleAnalyzer;
import dev.headgeo.avro.CheckpointReport;
import dev.headgeo.client.TopicCreator;
import dev.headgeo.kafka.EmbeddedKafka;
import dev.headgeo.report.ReportMapper;
import dev.headgeo.stream.HeadgeoService;
import dev.headgeo.stream.HeadgeoStreamsConfig;
import dev.headgeo.stream.StreamSettings;
import dev.headgeo.testing.Golden;
import dev.headgeo.testing.Python;
import dev.headgeo.testing.ReportReader;
import dev.headgeo.wire.AvroJson;
import dev.headgeo.wire.HeadgeoTopics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * examples/python publishes with confluent-kafka (a client nobody here wrote) to a real broker; the
 * processor's reports equal the offline analysis of the same dumps.
 */
class PythonProducerIT {
    @TempDir Path tmp;

    @Test
    void reportsForWhatPythonPublishedEqualTheOfflineAnalysis() throws Exception {
        Optional<String> python = Python.withModules("numpy", "confluent_kafka");
        assumeTrue(
                python.isPresent(),
                "no python3 with numpy and confluent_kafka (apt-get install python3-numpy"
                        + " python3-confluent-kafka)");
        List<String> fixtures = List.of("supported_12x12x64", "ragged_ranks", "one_layer_one_head");
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            HeadgeoTopics topics = HeadgeoTopics.defaults();
            Properties config =
                    HeadgeoStreamsConfig.of(
                            kafka.bootstrapServers(),
                            "headgeo-python-it",
                            Files.createDirectories(tmp.resolve("state")).toString(),
                            topics,
                            Map.of("commit.interval.ms", "100"));
            Properties admin = new Properties();
            admin.put("bootstrap.servers", kafka.bootstrapServers());
            try (Admin client = Admin.create(admin)) {
                client.createTopics(
                                List.of(new NewTopic(HeadgeoTopics.DEFAULT_LAYERS, 5, (short) 1)))
                        .all()
                        .get();
            }
            TopicCreator.createMissing(config, topics.names());
            try (HeadgeoService service =
                    HeadgeoService.start(config, topics, StreamSettings.defaults())) {
                assertThat(service.awaitRunning(Duration.ofSeconds(60))).isTrue();
                for (int i = 0; i < fixtures.size(); i++) {
                    Path dump = Golden.dumpFile(fixtures.get(i), tmp);
                    List<String> args =
                            new java.util.ArrayList<>(
                                    List.of(
                                            "examples/python/publish_dump.py",
                                            dump.toString(),
                                            "--run",
                                            "py-run",
                                            "--checkpoint",
                                            Integer.toString(i),
                                            "--bootstrap-servers",
                                            kafka.bootstrapServers()));
                    if (i == 1) {
                        // run context through librdkafka: JSON layer records with tags (v2); the
                        // others carry none (v1)
                        args.addAll(
                                List.of(
                                        "--model",
                                        "gpt2",
                                        "--tag",
                                        "owner=ana",
                                        "--tag",
                                        "lr=3e-4"));
                    }
                    Python.Run run = Python.run(python.get(), args);
                    assertThat(run.status()).as(run.output()).isZero();
                }
                List<CheckpointReport> reports =
                        ReportReader.read(
                                kafka.bootstrapServers(), fixtures.size(), Duration.ofSeconds(60));
                assertThat(reports).hasSize(fixtures.size());
                for (CheckpointReport r : reports) {
                    String fixture = fixtures.get((int) r.getCheckpoint());
                    var expected =
                            ReportMapper.complete(
                                    new ReportMapper.Origin(
                                            "py-run", r.getCheckpoint(), null, null, null),
                                    SaScheduleAnalyzer.analyze(
                                            Golden.dump(fixture).spectra(),
                                            EnumSet.allOf(Anchor.class)),
                                    Anchor.LAST);
                    assertThat(withoutTimes(AvroJson.toJson(r)))
                            .isEqualTo(withoutTimes(AvroJson.toJson(expected)));
                    assertThat(r.getTags())
                            .isEqualTo(
                                    r.getCheckpoint() == 1
                                            ? Map.of("owner", "ana", "lr", "3e-4")
                                            : Map.of());
                    assertThat(r.getModel()).isEqualTo(r.getCheckpoint() == 1 ? "gpt2" : null);
                }
                for (String run : List.of("a", "run-b", "c/3", "dd-44", "e")) {
                    Python.Run r =
                            Python.run(
                                    python.get(),
                                    List.of(
                                            "examples/python/publish_dump.py",
                                            Golden.dumpFile("two_layers", tmp).toString(),
                                            "--run",
                                            run,
                                            "--checkpoint",
                                            "7",
                                            "--bootstrap-servers",
                                            kafka.bootstrapServers()));
                    assertThat(r.status()).as(r.output()).isZero();
                }
                Path notADump =
                        Files.writeString(tmp.resolve("not-a-dump.json"), "{\"num_layers\": 2}");
                Python.Run refused =
                        Python.run(
                                python.get(),
                                List.of(
                                        "examples/python/publish_dump.py",
                                        notADump.toString(),
                                        "--run",
                                        "never",
                                        "--checkpoint",
                                        "1",
                                        "--bootstrap-servers",
                                        kafka.bootstrapServers()));
                assertThat(refused.status()).as(refused.output()).isEqualTo(2);
                assertThat(refused.output().strip())
                        .isEqualTo(
                                "publish_dump: "
                                        + notADump
                                        + ": not a dump in the reference script's layout"
                                        + " (static[].metric_singvals_per_head,"
                                        + " dynamic[].mean_attention_entropy_per_head): no"
                                        + " 'static'");
                assertPartitionedLikeJava(kafka.bootstrapServers(), 5, 12 + 6 + 1 + 5 * 2);
            }
        }
    }

    /**
     * Every layer record is on the partition Java's default partitioner (murmur2 of the key) gives.
     */
    static void assertPartitionedLikeJava(String bootstrap, int partitions, int records) {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        p.put("group.id", "placement-" + System.nanoTime());
        p.put("auto.offset.reset", "earliest");
        int seen = 0;
        try (KafkaConsumer<byte[], byte[]> c =
                new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            c.subscribe(List.of(HeadgeoTopics.DEFAULT_LAYERS));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (seen < records && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                    assertThat(r.partition())
                            .as(new String(r.key(), StandardCharsets.UTF_8))
                            .isEqualTo(Utils.toPositive(Utils.murmur2(r.key())) % partitions);
                    seen++;
                }
            }
        }
        assertThat(seen).isEqualTo(records);
    }
}
