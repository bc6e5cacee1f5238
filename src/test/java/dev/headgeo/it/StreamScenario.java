package dev.headgeo.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.headgeo.avro.CheckpointReport;
import dev.headgeo.avro.LayerGeometry;
import dev.headgeo.client.TopicCreator;
import dev.headgeo.dump.Dump;
import dev.headgeo.dump.LayerRecords;
import dev.headgeo.stream.DeadLetters;
import dev.headgeo.stream.HeadgeoService;
import dev.headgeo.stream.HeadgeoStreamsConfig;
import dev.headgeo.stream.StreamSettings;
import dev.headgeo.testing.Golden;
import dev.headgeo.testing.ReportJson;
import dev.headgeo.wire.AvroCodec;
import dev.headgeo.wire.AvroJson;
import dev.headgeo.wire.HeadgeoTopics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * The integration scenario, run against whatever broker a test provides: many runs and checkpoints
 * in shuffled order with duplicates and garbage, the processor stopped and restarted in the middle
 * (same state dir, then a wiped one); exactly one report per checkpoint, equal to the offline
 * analysis, and every bad record on the dead-letter topic.
 */
final class StreamScenario {
    private static final String[] FIXTURES = {
        "ragged_ranks",
        "zero_heads",
        "two_layers",
        "one_head",
        "supported_12x12x64",
        "rejected_12x12x64",
        "constant_entropy",
        "identical_layers"
    };

    private static final String APP = "headgeo-it";

    private final String bootstrap;
    private final Path stateRoot;
    private final HeadgeoTopics topics = HeadgeoTopics.defaults();
    private final AvroCodec<LayerGeometry> codec = new AvroCodec<>(LayerGeometry.getClassSchema());
    private final Map<String, ObjectNode> expected = new HashMap<>();
    private final Random random = new Random(42);

    StreamScenario(String bootstrap, Path stateRoot) {
        this.bootstrap = bootstrap;
        this.stateRoot = stateRoot;
    }

    void run() throws Exception {
        List<List<Map.Entry<byte[], byte[]>>> parts =
                List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        List<Map.Entry<byte[], byte[]>> allLayers = new ArrayList<>();
        int checkpoints = 0;
        for (int run = 0; run < 4; run++) {
            for (int c = 0; c < 4; c++) {
                String fixture = FIXTURES[(run * 3 + c) % FIXTURES.length];
                String runId = "run-" + run;
                long checkpoint = 1000L * (c + 1);
                Dump dump = Golden.dump(fixture);
                expected.put(runId + "@" + checkpoint, ReportJson.offline(dump, runId, checkpoint));
                for (LayerGeometry layer :
                        LayerRecords.split(dump, runId, checkpoint, fixture, null)) {
                    byte[] value = random.nextBoolean() ? codec.toAvro(layer) : codec.toJson(layer);
                    allLayers.add(entry(runId, value));
                }
                checkpoints++;
            }
        }
        Collections.shuffle(allLayers, random);
        // Each part ends a checkpoint or two; duplicates of earlier layers land in later parts.
        int third = allLayers.size() / 3;
        parts.get(0).addAll(allLayers.subList(0, third));
        parts.get(1).addAll(allLayers.subList(third, 2 * third));
        parts.get(2).addAll(allLayers.subList(2 * third, allLayers.size()));
        parts.get(1).addAll(allLayers.subList(0, 5));
        parts.get(2).addAll(allLayers.subList(third, third + 5));
        int garbage = 0;
        for (List<Map.Entry<byte[], byte[]>> part : parts) {
            part.add(entry("run-0", "garbage".getBytes(StandardCharsets.UTF_8)));
            part.add(entry("run-1", "{\"run_id\": \"run-1\"}".getBytes(StandardCharsets.UTF_8)));
            garbage += 2;
            Collections.shuffle(part, random);
        }

        long late = lateDuplicates(parts);

        Path stateDir = Files.createDirectories(stateRoot.resolve("state"));
        createLayersTopic(3);
        try (HeadgeoService service = startService(stateDir)) {
            KafkaTestClients.produce(bootstrap, topics.layers().name(), parts.get(0));
            assertThat(
                            KafkaTestClients.awaitConsumed(
                                    bootstrap, APP, topics.layers().name(), Duration.ofSeconds(60)))
                    .isTrue();
        }
        // Stopped with checkpoints half gathered; the same state dir picks them up, sharing the
        // partitions with a second instance.
        Path second = Files.createDirectories(stateRoot.resolve("state-second"));
        try (HeadgeoService service = startService(stateDir);
                HeadgeoService other = startService(second)) {
            KafkaTestClients.produce(bootstrap, topics.layers().name(), parts.get(1));
            assertThat(
                            KafkaTestClients.awaitConsumed(
                                    bootstrap, APP, topics.layers().name(), Duration.ofSeconds(60)))
                    .isTrue();
            assertThat(service.activeTasks() + other.activeTasks()).isEqualTo(3);
            assertThat(other.activeTasks()).isPositive();
        }
        // A wiped state dir: everything is restored from the changelogs.
        Path wiped = Files.createDirectories(stateRoot.resolve("state-wiped"));
        int total = checkpoints;
        try (HeadgeoService service = startService(wiped)) {
            KafkaTestClients.produce(bootstrap, topics.layers().name(), parts.get(2));
            assertThat(
                            KafkaTestClients.awaitConsumed(
                                    bootstrap, APP, topics.layers().name(), Duration.ofSeconds(60)))
                    .isTrue();
        }
        // Everything is consumed and committed; read a moment past the expected count so that a
        // duplicate would show.
        List<ConsumerRecord<byte[], byte[]>> reports =
                KafkaTestClients.readUntil(
                        bootstrap,
                        topics.reports().name(),
                        r -> r.size() > total,
                        Duration.ofSeconds(3));

        AvroCodec<CheckpointReport> reportCodec =
                new AvroCodec<>(CheckpointReport.getClassSchema());
        Map<String, Long> counts =
                reports.stream()
                        .map(r -> reportCodec.decode(r.value()))
                        .collect(
                                Collectors.groupingBy(
                                        r -> r.getRunId() + "@" + r.getCheckpoint(),
                                        Collectors.counting()));
        assertThat(counts.keySet()).containsExactlyInAnyOrderElementsOf(expected.keySet());
        assertThat(counts.values()).allMatch(n -> n == 1);
        for (ConsumerRecord<byte[], byte[]> r : reports) {
            CheckpointReport report = reportCodec.decode(r.value());
            assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo(report.getRunId());
            assertThat(ReportJson.withoutTimes(AvroJson.toJson(report)))
                    .isEqualTo(expected.get(report.getRunId() + "@" + report.getCheckpoint()));
        }

        long expectedDeadLetters = garbage + late;
        List<ConsumerRecord<byte[], byte[]>> dead =
                KafkaTestClients.readUntil(
                        bootstrap,
                        topics.deadLetters().name(),
                        r -> r.size() > expectedDeadLetters,
                        Duration.ofSeconds(3));
        Map<String, Long> reasons =
                dead.stream()
                        .collect(
                                Collectors.groupingBy(
                                        d ->
                                                new String(
                                                        d.headers()
                                                                .lastHeader(
                                                                        DeadLetters.REASON_HEADER)
                                                                .value(),
                                                        StandardCharsets.UTF_8),
                                        Collectors.counting()));
        // Duplicates of layers whose checkpoint was already reported are LATE; the others replaced
        // a copy.
        Map<String, Long> expectedReasons = new HashMap<>(Map.of("MALFORMED", (long) garbage));
        if (late > 0) {
            expectedReasons.put("LATE", late);
        }
        assertThat(reasons).isEqualTo(expectedReasons);
        assertThat(
                        dead.stream()
                                .filter(
                                        d ->
                                                "garbage"
                                                        .equals(
                                                                new String(
                                                                        d.value(),
                                                                        StandardCharsets.UTF_8))))
                .hasSize(3);
    }

    /**
     * How many records arrive after their checkpoint completed (and so are LATE): a run's records
     * share a partition, so they are processed in the order they are produced.
     */
    private long lateDuplicates(List<List<Map.Entry<byte[], byte[]>>> parts) {
        Map<String, java.util.Set<Integer>> received = new HashMap<>();
        java.util.Set<String> completed = new java.util.HashSet<>();
        long late = 0;
        for (List<Map.Entry<byte[], byte[]>> part : parts) {
            for (Map.Entry<byte[], byte[]> e : part) {
                LayerGeometry layer;
                try {
                    layer = codec.decode(e.getValue());
                } catch (AvroCodec.MalformedException notALayer) {
                    continue;
                }
                String checkpoint = layer.getRunId() + "@" + layer.getCheckpoint();
                if (completed.contains(checkpoint)) {
                    late++;
                    continue;
                }
                java.util.Set<Integer> layers =
                        received.computeIfAbsent(checkpoint, k -> new java.util.HashSet<>());
                layers.add(layer.getLayer());
                if (layers.size() == layer.getNumLayers()) {
                    completed.add(checkpoint);
                }
            }
        }
        return late;
    }

    private void createLayersTopic(int partitions) throws Exception {
        java.util.Properties p = new java.util.Properties();
        p.put("bootstrap.servers", bootstrap);
        try (org.apache.kafka.clients.admin.Admin admin =
                org.apache.kafka.clients.admin.Admin.create(p)) {
            admin.createTopics(
                            List.of(
                                    new org.apache.kafka.clients.admin.NewTopic(
                                            topics.layers().name(), partitions, (short) 1)))
                    .all()
                    .get();
        }
    }

    private HeadgeoService startService(Path stateDir) throws InterruptedException {
        var config =
                HeadgeoStreamsConfig.of(
                        bootstrap,
                        APP,
                        stateDir.toString(),
                        topics,
                        Map.of("commit.interval.ms", "100"));
        TopicCreator.createMissing(config, topics.names());
        HeadgeoService service = HeadgeoService.start(config, topics, StreamSettings.defaults());
        assertThat(service.awaitRunning(Duration.ofSeconds(60))).isTrue();
        return service;
    }

    private static Map.Entry<byte[], byte[]> entry(String key, byte[] value) {
        return new AbstractMap.SimpleEntry<>(key.getBytes(StandardCharsets.UTF_8), value);
    }
}
