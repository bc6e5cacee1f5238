package dev.headgeo.stream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.headgeo.avro.Alert;
import dev.headgeo.avro.AlertType;
import dev.headgeo.avro.Anchor;
import dev.headgeo.avro.AnchorFit;
import dev.headgeo.avro.CheckpointReport;
import dev.headgeo.avro.ReportStatus;
import dev.headgeo.avro.RunHistory;
import dev.headgeo.avro.Verdict;
import dev.headgeo.report.ReportMapper;
import dev.headgeo.wire.AvroSerde;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * track-verdicts alone, as Kafka's own processor tests do it: a mock context, an in-memory store,
 * the punctuator fired by hand.
 */
class TrackVerdictsProcessorTest {
    static final long T0 = 1_700_000_000_000L;

    MockProcessorContext<String, Flow.RunEvent> context;
    KeyValueStore<String, RunHistory> history;
    TrackVerdictsProcessor processor;

    @BeforeEach
    void init() {
        context = new MockProcessorContext<>();
        history =
                Stores.keyValueStoreBuilder(
                                Stores.inMemoryKeyValueStore(HeadgeoTopology.RUN_HISTORY_STORE),
                                Serdes.String(),
                                new AvroSerde<RunHistory>(
                                        RunHistory.getClassSchema(), AvroSerde.Format.avro))
                        .withLoggingDisabled()
                        .build();
        history.init(context.getStateStoreContext(), history);
        context.addStateStore(history);
        context.setCurrentSystemTimeMs(T0);
        processor =
                new TrackVerdictsProcessor(
                        StreamSettings.defaults().withHistory(3, Duration.ofHours(1)),
                        HeadgeoMetrics.unregistered());
        processor.init(context);
    }

    static CheckpointReport complete(String run, long checkpoint, double meanResidual) {
        Verdict verdict =
                meanResidual < 0.1
                        ? Verdict.SUPPORTED
                        : meanResidual < 0.3 ? Verdict.PARTIALLY_SUPPORTED : Verdict.REJECTED;
        AnchorFit fit =
                AnchorFit.newBuilder()
                        .setAnchor(Anchor.LAST)
                        .setAnchorLayer(1)
                        .setLayers(List.of())
                        .setMeanResidual(meanResidual)
                        .setMaxResidual(meanResidual)
                        .setFracBelow010(0)
                        .setFracBelow020(0)
                        .setCorrScaleEntropy(null)
                        .setVerdict(verdict)
                        .build();
        CheckpointReport r =
                ReportMapper.incomplete(
                        new ReportMapper.Origin(run, checkpoint, null, null, null),
                        2,
                        1,
                        1,
                        List.of(),
                        dev.headgeo.analysis.Anchor.LAST);
        r.setStatus(ReportStatus.COMPLETE);
        r.setFits(List.of(fit));
        r.setVerdict(verdict);
        return r;
    }

    static CheckpointReport incomplete(String run, long checkpoint) {
        return ReportMapper.incomplete(
                new ReportMapper.Origin(run, checkpoint, null, null, null),
                4,
                1,
                1,
                List.of(2, 3),
                dev.headgeo.analysis.Anchor.LAST);
    }

    void process(CheckpointReport report) {
        processor.process(
                new Record<>(
                        report.getRunId(),
                        new Flow.Reported(
                                report,
                                new dev.headgeo.wire.AvroCodec<CheckpointReport>(
                                                CheckpointReport.getClassSchema())
                                        .toAvro(report)),
                        T0));
    }

    List<Alert> alerts() {
        List<Alert> out =
                context.forwarded().stream()
                        .filter(
                                f ->
                                        f.childName()
                                                .equals(
                                                        java.util.Optional.of(
                                                                HeadgeoTopology.ALERTS.name())))
                        .map(f -> ((Flow.RaisedAlert) f.record().value()).alert())
                        .toList();
        context.resetForwards();
        return out;
    }

    @Test
    void aChangedVerdictBetweenNeighboursIsOneFlipWithBothSides() {
        process(complete("r", 1, 0.05));
        process(complete("r", 2, 0.06));
        assertThat(alerts()).isEmpty();

        process(complete("r", 3, 0.35));

        List<Alert> alerts = alerts();
        assertThat(alerts).hasSize(1);
        Alert flip = alerts.get(0);
        assertThat(flip.getType()).isEqualTo(AlertType.VERDICT_FLIP);
        assertThat(flip.getCheckpoint()).isEqualTo(3);
        assertThat(flip.getEarlierCheckpoint()).isEqualTo(2);
        assertThat(flip.getEarlierVerdict()).isEqualTo(Verdict.SUPPORTED);
        assertThat(flip.getEarlierMeanResidual()).isEqualTo(0.06);
        assertThat(flip.getLaterVerdict()).isEqualTo(Verdict.REJECTED);
        assertThat(flip.getLaterMeanResidual()).isEqualTo(0.35);
        assertThat(flip.getRaisedAt().toEpochMilli()).isEqualTo(T0);
    }

    @Test
    void aCheckpointCompletingBetweenTwoOthersIsComparedWithBoth() {
        process(complete("r", 1, 0.05));
        process(complete("r", 3, 0.05));
        process(complete("r", 2, 0.2));

        assertThat(alerts())
                .extracting(a -> a.getEarlierCheckpoint() + "->" + a.getLaterCheckpoint())
                .containsExactly("1->2", "2->3");
    }

    @Test
    void anIncompleteCheckpointIsAlertedAndSkippedAsANeighbour() {
        process(complete("r", 1, 0.05));
        process(incomplete("r", 2));
        List<Alert> first = alerts();
        assertThat(first)
                .extracting(Alert::getType)
                .containsExactly(AlertType.INCOMPLETE_CHECKPOINT);
        assertThat(first.get(0).getMissingLayers()).containsExactly(2, 3);
        assertThat(first.get(0).getNumLayers()).isEqualTo(4);

        process(complete("r", 3, 0.5));

        List<Alert> next = alerts();
        assertThat(next)
                .extracting(Alert::getType)
                .containsExactly(AlertType.INCOMPLETE_RESOLVED, AlertType.VERDICT_FLIP);
        assertThat(next.get(0).getEarlierCheckpoint())
                .as("the incomplete checkpoint it ends")
                .isEqualTo(2L);
        assertThat(next.get(0).getSeverity()).isEqualTo(dev.headgeo.avro.Severity.INFO);
        assertThat(next.get(1).getEarlierCheckpoint() + "->" + next.get(1).getLaterCheckpoint())
                .isEqualTo("1->3");
        assertThat(next.get(1).getSeverity())
                .as("into REJECTED")
                .isEqualTo(dev.headgeo.avro.Severity.CRITICAL);
    }

    @Test
    void anIncompleteSpellEndsOnlyWithACompleteCheckpointAfterIt() {
        process(complete("r", 5, 0.05));
        process(incomplete("r", 6));
        process(incomplete("r", 7));
        // earlier than the spell: it still holds
        process(complete("r", 4, 0.05));
        process(complete("r", 8, 0.05));
        process(complete("r", 9, 0.05));

        assertThat(alerts())
                .extracting(a -> a.getType() + "@" + a.getCheckpoint())
                .containsExactly(
                        "INCOMPLETE_CHECKPOINT@6",
                        "INCOMPLETE_CHECKPOINT@7",
                        "INCOMPLETE_RESOLVED@8");
    }

    @Test
    void historyKeepsTheNewestEntriesAndRemembersWhatItForgot() {
        for (long c = 1; c <= 5; c++) {
            process(complete("r", c, 0.05));
        }
        RunHistory h = history.get("r");
        assertThat(h.getEntries()).extracting(e -> e.getCheckpoint()).containsExactly(3L, 4L, 5L);
        assertThat(h.getForgottenBelow()).isEqualTo(2);
        assertThat(h.getLastClosedAt()).isEqualTo(T0);
    }

    @Test
    void thePunctuatorDropsRunsQuietForLongerThanTheRetention() {
        process(complete("quiet", 1, 0.05));
        context.setCurrentSystemTimeMs(T0 + Duration.ofMinutes(30).toMillis());
        process(complete("busy", 1, 0.05));
        MockProcessorContext.CapturedPunctuator sweep = context.scheduledPunctuators().get(0);
        assertThat(sweep.getInterval()).isEqualTo(Duration.ofMinutes(6));

        sweep.getPunctuator().punctuate(T0 + Duration.ofMinutes(61).toMillis());

        assertThat(history.get("quiet")).isNull();
        assertThat(history.get("busy")).isNotNull();
    }
}
