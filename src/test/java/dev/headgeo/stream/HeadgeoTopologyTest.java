package dev.headgeo.stream;

import static dev.headgeo.testing.ReportJson.withoutTimes;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.headgeo.avro.Alert;
import dev.headgeo.avro.AlertType;
import dev.headgeo.avro.CheckpointReport;
import dev.headgeo.avro.LayerGeometry;
import dev.headgeo.avro.ReportStatus;
import dev.headgeo.dump.LayerRecords;
import dev.headgeo.testing.Golden;
import dev.headgeo.testing.ReportJson;
import dev.headgeo.wire.AvroJson;
import dev.headgeo.wire.HeadgeoTopics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TopologyDescription;
import org.apache.kafka.streams.errors.LogAndFailExceptionHandler;
import org.apache.kafka.streams.errors.LogAndFailProcessingExceptionHandler;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HeadgeoTopologyTest extends TopologyTestBase {

    @BeforeEach
    void start() {
        fixture();
    }

    static List<LayerGeometry> layersOf(String fixture, String run, long checkpoint) {
        return new ArrayList<>(
                LayerRecords.split(Golden.dump(fixture), run, checkpoint, null, null));
    }

    /** The report the offline analysis gives, without the timestamps the stream adds. */
    static ObjectNode expectedReport(String fixture, String run, long checkpoint) {
        return ReportJson.offline(Golden.dump(fixture), run, checkpoint);
    }

    int storeSize(String store) {
        int n = 0;
        try (var it = f.driver.<String, Object>getKeyValueStore(store).all()) {
            while (it.hasNext()) {
                it.next();
                n++;
            }
        }
        return n;
    }

    static String reason(TestRecord<byte[], byte[]> deadLetter) {
        Header h = deadLetter.headers().lastHeader(DeadLetters.REASON_HEADER);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    @Test
    void layersInAnyOrderGiveOneReportEqualToTheOfflineAnalysis() {
        List<LayerGeometry> layers = layersOf("partial_12x12x64", "run-a", 100);
        Collections.shuffle(layers, new Random(7));
        f.send(layers.subList(0, 11));
        assertThat(f.reports.isEmpty()).isTrue();

        f.send(layers.subList(11, 12));

        List<TestRecord<String, CheckpointReport>> reports = f.reports.readRecordsToList();
        assertThat(reports).hasSize(1);
        assertThat(reports.get(0).key()).isEqualTo("run-a");
        assertThat(withoutTimes(AvroJson.toJson(reports.get(0).value())))
                .isEqualTo(expectedReport("partial_12x12x64", "run-a", 100));
        assertThat(reports.get(0).value().getAnalyzedAt()).isNotNull();
        assertThat(f.deadLetterRecords()).isEmpty();
        assertThat(f.alerts.isEmpty()).isTrue();
        assertThat(storeSize(HeadgeoTopology.LAYERS_STORE)).isZero();
        assertThat(storeSize(HeadgeoTopology.OPEN_CHECKPOINTS_STORE)).isZero();
    }

    @Test
    void interleavedRunsAndCheckpointsEachReportOnce() {
        List<LayerGeometry> all = new ArrayList<>();
        all.addAll(layersOf("ragged_ranks", "run-a", 1));
        all.addAll(layersOf("zero_heads", "run-a", 2));
        all.addAll(layersOf("two_layers", "run-b", 1));
        all.addAll(layersOf("one_head", "run-c", 5));
        Collections.shuffle(all, new Random(3));
        f.send(all);

        List<TestRecord<String, CheckpointReport>> reports = f.reports.readRecordsToList();
        assertThat(reports)
                .extracting(r -> r.value().getRunId() + "@" + r.value().getCheckpoint())
                .containsExactlyInAnyOrder("run-a@1", "run-a@2", "run-b@1", "run-c@5");
        for (TestRecord<String, CheckpointReport> r : reports) {
            String fixture =
                    switch (r.key() + "@" + r.value().getCheckpoint()) {
                        case "run-a@1" -> "ragged_ranks";
                        case "run-a@2" -> "zero_heads";
                        case "run-b@1" -> "two_layers";
                        default -> "one_head";
                    };
            assertThat(withoutTimes(AvroJson.toJson(r.value())))
                    .isEqualTo(expectedReport(fixture, r.key(), r.value().getCheckpoint()));
        }
    }

    @Test
    void duplicateReplacesBeforeCompletionAndIsLateAfter() {
        List<LayerGeometry> layers = layersOf("zero_heads", "run", 7);
        LayerGeometry wrong = LayerGeometry.newBuilder(layers.get(1)).build();
        wrong.setMeanAttentionEntropyPerHead(List.of(9.0, 9.0, 9.0));
        f.send(List.of(layers.get(0), wrong, layers.get(2)));
        f.send(List.of(layers.get(1)));
        assertThat(f.reports.isEmpty()).isTrue();
        f.send(List.of(layers.get(3)));

        assertThat(withoutTimes(AvroJson.toJson(f.reports.readValue())))
                .isEqualTo(expectedReport("zero_heads", "run", 7));

        f.send(List.of(layers.get(2)));
        List<TestRecord<byte[], byte[]>> dead = f.deadLetterRecords();
        assertThat(dead).extracting(HeadgeoTopologyTest::reason).containsExactly("LATE");
        assertThat(f.reports.isEmpty()).isTrue();
    }

    @Test
    void inconsistentRecordIsDeadLetteredAndTheCheckpointCompletes() {
        List<LayerGeometry> layers = layersOf("two_layers", "run", 3);
        LayerGeometry inconsistent =
                LayerGeometry.newBuilder(layersOf("zero_heads", "run", 3).get(1)).build();
        f.send(List.of(layers.get(0), inconsistent, layers.get(1)));

        assertThat(f.deadLetterRecords())
                .extracting(HeadgeoTopologyTest::reason)
                .containsExactly("INCONSISTENT_CHECKPOINT");
        assertThat(withoutTimes(AvroJson.toJson(f.reports.readValue())))
                .isEqualTo(expectedReport("two_layers", "run", 3));
    }

    @Test
    void stalledCheckpointTimesOutAsIncompleteWithAnAlertAndLaterCopiesAreLate() {
        List<LayerGeometry> layers = layersOf("ragged_ranks", "run", 9);
        f.send(List.of(layers.get(0), layers.get(3), layers.get(5)));
        f.driver.advanceWallClockTime(Duration.ofMinutes(9));
        assertThat(f.reports.isEmpty()).isTrue();

        f.driver.advanceWallClockTime(Duration.ofMinutes(2));

        CheckpointReport report = f.reports.readValue();
        assertThat(report.getStatus()).isEqualTo(ReportStatus.INCOMPLETE);
        assertThat(report.getMissingLayers()).containsExactly(1, 2, 4);
        assertThat(report.getNumLayers()).isEqualTo(6);
        assertThat(report.getNumHeads()).isEqualTo(4);
        assertThat(report.getMaxRank()).isEqualTo(16);
        assertThat(report.getFits()).isEmpty();
        assertThat(report.getVerdict()).isNull();
        Alert alert = f.alerts.readValue();
        assertThat(alert.getType()).isEqualTo(AlertType.INCOMPLETE_CHECKPOINT);
        assertThat(alert.getMissingLayers()).containsExactly(1, 2, 4);
        assertThat(storeSize(HeadgeoTopology.LAYERS_STORE)).isZero();

        f.send(List.of(layers.get(1)));
        assertThat(f.deadLetterRecords())
                .extracting(HeadgeoTopologyTest::reason)
                .containsExactly("LATE");
        assertThat(f.reports.isEmpty()).isTrue();
    }

    @Test
    void overTheOpenLayersBudgetTheQuietestCheckpointClosesEarlyAsIncomplete() {
        f.close();
        List<LayerGeometry> first = layersOf("two_layers", "first", 1);
        List<LayerGeometry> second = layersOf("two_layers", "second", 1);
        int oneLayer =
                new dev.headgeo.wire.AvroCodec<LayerGeometry>(LayerGeometry.getClassSchema())
                        .toAvro(first.get(0))
                        .length;
        // room for the layers of one open checkpoint, not of two
        fixture(
                TopologyFixture.settings(Duration.ofMinutes(10))
                        .withMaxOpenLayerBytes(oneLayer + oneLayer / 2));

        f.send(List.of(first.get(0)));
        f.driver.advanceWallClockTime(Duration.ofSeconds(1));
        assertThat(f.reports.isEmpty()).isTrue();
        f.send(List.of(second.get(0)));

        CheckpointReport closed = f.reports.readValue();
        assertThat(closed.getRunId()).isEqualTo("first");
        assertThat(closed.getStatus()).isEqualTo(ReportStatus.INCOMPLETE);
        assertThat(closed.getMissingLayers()).containsExactly(1);
        assertThat(f.alerts.readValue().getType()).isEqualTo(AlertType.INCOMPLETE_CHECKPOINT);
        assertThat(storeSize(HeadgeoTopology.LAYERS_STORE)).isEqualTo(1);

        f.send(List.of(second.get(1), first.get(1)));
        assertThat(withoutTimes(AvroJson.toJson(f.reports.readValue())))
                .isEqualTo(expectedReport("two_layers", "second", 1));
        assertThat(f.reports.isEmpty()).isTrue();
        assertThat(f.deadLetterRecords())
                .extracting(HeadgeoTopologyTest::reason)
                .containsExactly("LATE");
        assertThat(storeSize(HeadgeoTopology.LAYERS_STORE)).isZero();
    }

    @Test
    void arrivingLayersKeepACheckpointAlive() {
        List<LayerGeometry> layers = layersOf("ragged_ranks", "run", 9);
        for (int i = 0; i < 6; i++) {
            f.send(List.of(layers.get(i)));
            f.driver.advanceWallClockTime(Duration.ofMinutes(6));
        }
        assertThat(f.reports.readValue().getStatus()).isEqualTo(ReportStatus.COMPLETE);
        assertThat(f.alerts.isEmpty()).isTrue();
    }

    @Test
    void verdictFlipsAreAlertedBetweenNeighboursInOrder() {
        f.send(layersOf("supported_12x12x64", "run", 100));
        f.send(layersOf("supported_12x12x64", "run", 200));
        f.send(layersOf("rejected_12x12x64", "run", 300));
        f.send(layersOf("supported_12x12x64", "run", 400));

        List<Alert> alerts = f.alerts.readValuesToList();
        assertThat(alerts)
                .extracting(a -> a.getEarlierCheckpoint() + "->" + a.getLaterCheckpoint())
                .containsExactly("200->300", "300->400");
        Alert first = alerts.get(0);
        assertThat(first.getType()).isEqualTo(AlertType.VERDICT_FLIP);
        assertThat(first.getEarlierVerdict().name()).isEqualTo("SUPPORTED");
        assertThat(first.getLaterVerdict().name()).isEqualTo("REJECTED");
        assertThat(first.getEarlierMeanResidual()).isLessThan(0.1);
        assertThat(first.getLaterMeanResidual()).isGreaterThanOrEqualTo(0.3);
    }

    @Test
    void verdictFlipsOutOfOrderAlertEachDifferingPairOnce() {
        f.send(layersOf("supported_12x12x64", "run", 400));
        f.send(layersOf("rejected_12x12x64", "run", 300));
        f.send(layersOf("supported_12x12x64", "run", 100));
        f.send(layersOf("rejected_12x12x64", "run", 200));

        // 400 alone; 300 pairs with 400; 100 pairs with 300 (no earlier); 200 sits between 100 and
        // 300.
        assertThat(f.alerts.readValuesToList())
                .extracting(a -> a.getEarlierCheckpoint() + "->" + a.getLaterCheckpoint())
                .containsExactly("300->400", "100->300", "100->200");
    }

    @Test
    void incompleteCheckpointsDoNotBreakFlipNeighbours() {
        f.send(layersOf("supported_12x12x64", "run", 1));
        f.send(layersOf("ragged_ranks", "run", 2).subList(0, 2));
        f.driver.advanceWallClockTime(Duration.ofMinutes(11));
        f.send(layersOf("rejected_12x12x64", "run", 3));

        assertThat(f.alerts.readValuesToList())
                .extracting(Alert::getType)
                .containsExactly(
                        AlertType.INCOMPLETE_CHECKPOINT,
                        AlertType.INCOMPLETE_RESOLVED,
                        AlertType.VERDICT_FLIP);
    }

    @Test
    void badRecordsAreDeadLetteredWithTheirReasonAndOriginalBytes() {
        List<LayerGeometry> good = layersOf("two_layers", "run", 1);
        byte[] garbage = "not a layer".getBytes(StandardCharsets.UTF_8);
        byte[] missingField =
                "{\"run_id\":\"run\",\"checkpoint\":1}".getBytes(StandardCharsets.UTF_8);
        f.rawLayers.pipeInput("run", garbage);
        f.rawLayers.pipeInput("run", missingField);
        f.rawLayers.pipeInput("run", new byte[] {(byte) 0xC3, 0x01, 1, 2, 3});
        f.rawLayers.pipeInput("run", (byte[]) null);
        f.layers.pipeInput("other-key", good.get(0));
        f.layers.pipeInput(null, good.get(0));
        LayerGeometry negative = LayerGeometry.newBuilder(good.get(0)).build();
        negative.setMetricSingvalsPerHead(List.of(List.of(1.0, -1.0), List.of(1.0)));
        f.send(List.of(negative));
        LayerGeometry nan = LayerGeometry.newBuilder(good.get(0)).build();
        nan.setMeanAttentionEntropyPerHead(List.of(Double.NaN, 1.0));
        f.send(List.of(nan));
        LayerGeometry outOfRange = LayerGeometry.newBuilder(good.get(0)).build();
        outOfRange.setLayer(2);
        f.send(List.of(outOfRange));
        LayerGeometry empty = LayerGeometry.newBuilder(good.get(0)).build();
        empty.setMetricSingvalsPerHead(List.of(List.of(), List.of(1.0)));
        f.send(List.of(empty));
        LayerGeometry negativeEntropy = LayerGeometry.newBuilder(good.get(0)).build();
        negativeEntropy.setMeanAttentionEntropyPerHead(List.of(-0.5, 1.0));
        f.send(List.of(negativeEntropy));
        LayerGeometry logitsOfOneHead = LayerGeometry.newBuilder(good.get(0)).build();
        logitsOfOneHead.setMaxAttentionLogitPerHead(List.of(12.0));
        f.send(List.of(logitsOfOneHead));
        // -sum p log(p + 1e-12) of a one-hot head, as clients before 0.5 sent it: rounding, not an
        // error
        LayerGeometry oneHot = LayerGeometry.newBuilder(good.get(0)).build();
        oneHot.setMeanAttentionEntropyPerHead(List.of(-1.0000889005818408e-12, 1.0));
        f.send(List.of(oneHot));
        LayerGeometry huge = LayerGeometry.newBuilder(good.get(0)).build();
        huge.setMetricSingvalsPerHead(
                List.of(Collections.nCopies(40_000, 1.0), Collections.nCopies(40_000, 1.0)));
        f.send(List.of(huge));
        f.send(good);

        List<TestRecord<byte[], byte[]>> dead = f.deadLetterRecords();
        assertThat(dead)
                .extracting(HeadgeoTopologyTest::reason)
                .containsExactly(
                        "MALFORMED",
                        "MALFORMED",
                        "MALFORMED",
                        "MALFORMED",
                        "INVALID",
                        "INVALID",
                        "INVALID",
                        "INVALID",
                        "INVALID",
                        "INVALID",
                        "INVALID",
                        "INVALID",
                        "TOO_LARGE");
        assertThat(dead.get(0).value()).isEqualTo(garbage);
        assertThat(new String(dead.get(0).key(), StandardCharsets.UTF_8)).isEqualTo("run");
        assertThat(dead.get(1).value()).isEqualTo(missingField);
        assertThat(
                        new String(
                                dead.get(1).headers().lastHeader(DeadLetters.DETAIL_HEADER).value(),
                                StandardCharsets.UTF_8))
                .contains("missing field");
        assertThat(dead.get(3).value()).isNull();
        assertThat(
                        new String(
                                dead.get(10)
                                        .headers()
                                        .lastHeader(DeadLetters.DETAIL_HEADER)
                                        .value(),
                                StandardCharsets.UTF_8))
                .isEqualTo(
                        "mean_attention_entropy_per_head[0] is negative (-0.5): an entropy in nats"
                                + " is >= 0");
        assertThat(
                        new String(
                                dead.get(11)
                                        .headers()
                                        .lastHeader(DeadLetters.DETAIL_HEADER)
                                        .value(),
                                StandardCharsets.UTF_8))
                .isEqualTo("max_attention_logit_per_head has 1 values, expected num_heads = 2");
        assertThat(
                        new String(
                                dead.get(4).headers().lastHeader("__streams.errors.topic").value(),
                                StandardCharsets.UTF_8))
                .isEqualTo("headgeo.layers");
        assertThat(dead.get(4).headers().lastHeader("__streams.errors.offset")).isNotNull();
        assertThat(
                        new String(
                                dead.get(4).headers().lastHeader(DeadLetters.DETAIL_HEADER).value(),
                                StandardCharsets.UTF_8))
                .contains("record key 'other-key' is not run_id 'run'");
        assertThat(f.reports.readValuesToList()).hasSize(1);
    }

    @Test
    void quietRunsHistoriesAreForgottenAfterTheRetention() {
        f.send(layersOf("two_layers", "quiet", 1));
        f.driver.advanceWallClockTime(Duration.ofHours(12));
        f.send(layersOf("two_layers", "busy", 1));
        assertThat(storeSize(HeadgeoTopology.RUN_HISTORY_STORE)).isEqualTo(2);

        f.driver.advanceWallClockTime(Duration.ofHours(13));

        assertThat(
                        f.driver
                                .<String, Object>getKeyValueStore(HeadgeoTopology.RUN_HISTORY_STORE)
                                .get("quiet"))
                .isNull();
        assertThat(
                        f.driver
                                .<String, Object>getKeyValueStore(HeadgeoTopology.RUN_HISTORY_STORE)
                                .get("busy"))
                .isNotNull();
    }

    @Test
    void deadLettersDoNotDependOnTheHandlersAUserConfigures(@TempDir Path other) {
        // a user's --kafka options replace headgeo's exception handlers with Kafka's fail-fast
        // defaults
        try (TopologyFixture strict =
                new TopologyFixture(
                        other,
                        TopologyFixture.settings(Duration.ofMinutes(10)),
                        Map.of(
                                StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG,
                                        LogAndFailProcessingExceptionHandler.class.getName(),
                                StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
                                        LogAndFailExceptionHandler.class.getName()))) {
            byte[] key = {(byte) 0xFF, (byte) 0xFE, 'r'};
            strict.bytesLayers.pipeInput(key, "not a layer".getBytes(StandardCharsets.UTF_8));
            strict.layers.pipeInput("other-key", layersOf("two_layers", "run", 1).get(0));
            strict.send(layersOf("two_layers", "run", 1));

            List<TestRecord<byte[], byte[]>> dead = strict.deadLetterRecords();
            assertThat(dead)
                    .extracting(HeadgeoTopologyTest::reason)
                    .containsExactly("MALFORMED", "INVALID");
            assertThat(dead.get(0).key())
                    .as("the key's bytes as they came, not valid UTF-8")
                    .isEqualTo(key);
            assertThat(strict.reports.readValuesToList()).hasSize(1);
        }
    }

    @Test
    void everyNodeAndEdgeIsTheDiagrams() {
        TopologyDescription d =
                HeadgeoTopology.build(HeadgeoTopics.defaults(), StreamSettings.defaults())
                        .describe();
        Map<String, List<String>> successors = new java.util.TreeMap<>();
        d.subtopologies()
                .forEach(
                        sub ->
                                sub.nodes()
                                        .forEach(
                                                n ->
                                                        successors.put(
                                                                n.name(),
                                                                n.successors().stream()
                                                                        .map(
                                                                                TopologyDescription
                                                                                                .Node
                                                                                        ::name)
                                                                        .sorted()
                                                                        .toList())));

        assertThat(d.subtopologies()).hasSize(1);
        assertThat(successors)
                .containsExactlyInAnyOrderEntriesOf(
                        Map.of(
                                "layers-source", List.of("decode-layers"),
                                "decode-layers", List.of("dead-letters-sink", "gather-layers"),
                                "gather-layers", List.of("analyze-checkpoint", "dead-letters-sink"),
                                "analyze-checkpoint",
                                        List.of(
                                                "dead-letters-sink",
                                                "remember-runs",
                                                "reports-sink",
                                                "track-verdicts"),
                                "track-verdicts", List.of("alerts-sink", "remember-runs"),
                                "remember-runs", List.of(),
                                "reports-sink", List.of(),
                                "alerts-sink", List.of(),
                                "dead-letters-sink", List.of()));
    }

    @Test
    void everyNodeAndStoreHasItsName() {
        String description =
                HeadgeoTopology.build(HeadgeoTopics.defaults(), StreamSettings.defaults())
                        .describe()
                        .toString();

        assertThat(description)
                .contains(
                        "Source: layers-source (topics: [headgeo.layers])",
                        "Processor: gather-layers",
                        "Processor: analyze-checkpoint",
                        "Processor: track-verdicts",
                        "Sink: reports-sink (topic: headgeo.reports)",
                        "Sink: alerts-sink (topic: headgeo.alerts)",
                        "Sink: dead-letters-sink (topic: headgeo.dead-letters)",
                        "Processor: remember-runs",
                        "checkpoint-layers",
                        "open-checkpoints",
                        "run-history",
                        "run-state",
                        "checkpoint-summaries",
                        "recent-reports");
        assertThat(description).doesNotContain("KSTREAM-").doesNotContain("repartition");
    }

    @Test
    void reportTimesComeFromTheLayerRecords() {
        List<LayerGeometry> layers = layersOf("two_layers", "run", 1);
        f.layers.pipeInput("run", layers.get(1), 5_000L);
        f.layers.pipeInput("run", layers.get(0), 2_000L);

        CheckpointReport report = f.reports.readValue();
        assertThat(report.getFirstLayerAt().toEpochMilli()).isEqualTo(2_000L);
        assertThat(report.getCompletedAt().toEpochMilli()).isEqualTo(2_000L);
        assertThat(report.getAnalyzedAt()).isNotNull();
    }

    @Test
    void jsonLayerRecordsAreReadLikeAvroOnes() {
        List<LayerGeometry> layers = layersOf("two_layers", "run", 1);
        f.rawLayers.pipeInput(
                "run", AvroJson.toJsonLine(layers.get(0)).getBytes(StandardCharsets.UTF_8));
        f.send(layers.subList(1, 2));

        assertThat(withoutTimes(AvroJson.toJson(f.reports.readValue())))
                .isEqualTo(expectedReport("two_layers", "run", 1));
    }

    @Test
    void theModelAndTagsOfTheLayersRideOnTheReportAndTheRunsState() {
        Map<String, String> tags = Map.of("owner", "ana", "lr", "3e-4");
        List<LayerGeometry> layers =
                new ArrayList<>(
                        LayerRecords.split(
                                Golden.dump("two_layers"), "run", 1, "gpt2", null, tags));
        // JSON with tags (as the Python producer writes) and Avro v2 alike
        f.rawLayers.pipeInput(
                "run", AvroJson.toJsonLine(layers.get(0)).getBytes(StandardCharsets.UTF_8));
        f.send(layers.subList(1, 2));

        CheckpointReport report = f.reports.readValue();
        assertThat(report.getModel()).isEqualTo("gpt2");
        assertThat(report.getTags()).isEqualTo(tags);
        assertThat(report.getFits().get(0).getLayers().get(1).getHeadResiduals()).hasSize(2);
        dev.headgeo.avro.RunState state =
                f.driver
                        .<String, dev.headgeo.avro.RunState>getKeyValueStore(
                                HeadgeoTopology.RUN_STATE_STORE)
                        .get("run");
        assertThat(state.getModel()).isEqualTo("gpt2");
        assertThat(state.getTags()).isEqualTo(tags);

        // a later checkpoint without context leaves the model and clears the tags (they are the
        // latest checkpoint's)
        f.send(layersOf("two_layers", "run", 2));
        state =
                f.driver
                        .<String, dev.headgeo.avro.RunState>getKeyValueStore(
                                HeadgeoTopology.RUN_STATE_STORE)
                        .get("run");
        assertThat(state.getModel()).isEqualTo("gpt2");
        assertThat(state.getTags()).isEmpty();
    }

    @Test
    void tagsBreakingTheRulesAreInvalidDeadLetters() {
        List<Map<String, String>> bad =
                List.of(
                        java.util.stream.IntStream.range(0, 33)
                                .boxed()
                                .collect(java.util.stream.Collectors.toMap(i -> "k" + i, i -> "v")),
                        Map.of("", "v"),
                        Map.of("k".repeat(65), "v"),
                        Map.of("k", "v".repeat(257)),
                        Map.of("k", "a\u0007b"));
        for (Map<String, String> tags : bad) {
            f.send(
                    LayerRecords.split(Golden.dump("two_layers"), "run", 1, null, null, tags)
                            .subList(0, 1));
        }
        f.send(
                LayerRecords.split(
                        Golden.dump("two_layers"),
                        "run",
                        1,
                        null,
                        null,
                        Map.of("k".repeat(64), "v".repeat(256))));

        List<TestRecord<byte[], byte[]>> dead = f.deadLetterRecords();
        assertThat(dead).extracting(HeadgeoTopologyTest::reason).containsOnly("INVALID").hasSize(5);
        assertThat(dead)
                .extracting(
                        d ->
                                new String(
                                        d.headers().lastHeader(DeadLetters.DETAIL_HEADER).value(),
                                        StandardCharsets.UTF_8))
                .anySatisfy(d -> assertThat(d).contains("33 entries, the limit is 32"))
                .anySatisfy(d -> assertThat(d).contains("must be 1 to 64"))
                .anySatisfy(d -> assertThat(d).contains("the limit is 256"))
                .anySatisfy(d -> assertThat(d).contains("control characters"));
        assertThat(f.reports.readValuesToList()).hasSize(1);
    }
}
