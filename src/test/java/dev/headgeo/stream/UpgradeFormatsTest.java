package dev.headgeo.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.headgeo.avro.Alert;
import dev.headgeo.avro.AlertType;
import dev.headgeo.avro.CheckpointReport;
import dev.headgeo.avro.CheckpointSummary;
import dev.headgeo.avro.RunHistory;
import dev.headgeo.avro.RunState;
import dev.headgeo.avro.Severity;
import dev.headgeo.wire.AvroCodec;
import dev.headgeo.wire.AvroSerde;
import dev.headgeo.wire.Compatibility;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;
import org.junit.jupiter.api.Test;

/**
 * What --upgrade-from 0.1 writes is what release 0.1 reads: its schemas (kept in schemas/history)
 * decode it.
 */
class UpgradeFormatsTest {
    static final Compatibility FROM_0_1 = Compatibility.upgradingFrom(Compatibility.Release.V0_1);

    static Schema history(String file) throws IOException {
        try (InputStream in =
                UpgradeFormatsTest.class.getResourceAsStream(
                        "/dev/headgeo/wire/schema-history/" + file)) {
            Schema.Parser parser = new Schema.Parser();
            if (file.equals("alert-v1.avsc") || file.equals("alert-v2.avsc")) {
                parser.addTypes(
                        List.of(
                                CheckpointReport.getClassSchema()
                                        .getField("primary_anchor")
                                        .schema(),
                                dev.headgeo.avro.Verdict.getClassSchema(),
                                dev.headgeo.avro.ReportStatus.getClassSchema()));
            }
            return parser.parse(in);
        }
    }

    /**
     * Decodes single-object bytes with exactly {@code writer}, as a release that knows only that
     * schema does.
     */
    static GenericRecord asRelease(byte[] bytes, Schema writer) throws IOException {
        long fingerprint = ByteBuffer.wrap(bytes, 2, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertThat(fingerprint)
                .as("written with the schema of the old release")
                .isEqualTo(SchemaNormalization.parsingFingerprint64(writer));
        return new GenericDatumReader<GenericRecord>(writer)
                .read(null, DecoderFactory.get().binaryDecoder(bytes, 10, bytes.length - 10, null));
    }

    static Alert alert(AlertType type) {
        return Alert.newBuilder()
                .setRaisedAt(Instant.ofEpochMilli(1000))
                .setRunId("r")
                .setType(type)
                .setCheckpoint(200)
                .setMessage("m")
                .setSeverity(Severity.INFO)
                .setMissingLayers(List.of())
                .setEarlierVerdicts(List.of())
                .setLaterVerdicts(List.of())
                .setTags(Map.of("owner", "ana"))
                .build();
    }

    @Test
    void fromRelease04TheFormatsItReadsAreWrittenAndHealthAlertsHeldBack() throws IOException {
        Compatibility from04 = Compatibility.upgradingFrom(Compatibility.Release.V0_4);
        CheckpointReport report = TrackVerdictsProcessorTest.complete("r", 200, 0.05);
        report.setAttentionHealth(
                HealthDecisionsTest.judged(
                                200,
                                HealthDecisionsTest.COLLAPSED,
                                HealthDecisionsTest.GROWN_LOGITS,
                                null,
                                null)
                        .getAttentionHealth());
        GenericRecord asRead =
                asRelease(
                        from04.codec(CheckpointReport.getClassSchema()).toAvro(report),
                        history("checkpoint_report-v2.avsc"));
        assertThat(asRead.getSchema().getField("attention_health")).isNull();
        assertThat(asRead.get("run_id").toString()).isEqualTo("r");
        assertThat(from04.writes(alert(AlertType.ENTROPY_COLLAPSE))).isFalse();
        assertThat(from04.writes(alert(AlertType.LOGIT_GROWTH_RESOLVED))).isFalse();
        assertThat(from04.writes(alert(AlertType.INCOMPLETE_RESOLVED)))
                .as("0.4 knows the ends of states")
                .isTrue();
        assertThat(Compatibility.CURRENT.writes(alert(AlertType.ENTROPY_COLLAPSE))).isTrue();
        RunHistory history =
                RunHistory.newBuilder()
                        .setEntries(List.of())
                        .setForgottenBelow(-1L)
                        .setLastClosedAt(5L)
                        .setAlertedHealth(List.of("ENTROPY_COLLAPSE"))
                        .build();
        byte[] bytes =
                from04.<RunHistory>serde(
                                RunHistory.getClassSchema(), dev.headgeo.wire.AvroSerde.Format.avro)
                        .serializer()
                        .serialize("t", history);
        assertThat(asRelease(bytes, history("run_history-v2.avsc")).get("last_closed_at"))
                .isEqualTo(5L);
    }

    @Test
    void fromRelease05SummariesAndRunStatesAreWrittenWithoutTheTrainingContext()
            throws IOException {
        Compatibility from05 = Compatibility.upgradingFrom(Compatibility.Release.parse("0.5"));
        CheckpointReport report = TrackVerdictsProcessorTest.complete("r", 200, 0.05);
        report.setTags(Map.of("loss", "2.5", "owner", "ana"));
        CheckpointSummary summary = dev.headgeo.report.Summaries.of(report);
        assertThat(summary.getTrainingContext()).containsExactly(Map.entry("loss", 2.5));
        AvroSerde<CheckpointSummary> serde =
                from05.serde(CheckpointSummary.getClassSchema(), AvroSerde.Format.avro);
        byte[] bytes = serde.serializer().serialize("t", summary);
        GenericRecord asRead = asRelease(bytes, history("checkpoint_summary-v2.avsc"));
        assertThat(asRead.getSchema().getField("training_context")).isNull();
        assertThat(asRead.get("checkpoint")).isEqualTo(200L);
        assertThat(serde.deserializer().deserialize("t", bytes).getTrainingContext())
                .as("read back as today's, the default")
                .isEmpty();
        RunState state =
                RunState.newBuilder()
                        .setRunId("r")
                        .setPrimaryAnchor(dev.headgeo.avro.Anchor.LAST)
                        .setLastCheckpoint(200)
                        .setLastStatus(dev.headgeo.avro.ReportStatus.COMPLETE)
                        .setLastReportAt(1000)
                        .setLatestComplete(summary)
                        .setForecast(null)
                        .setFlips(0)
                        .setFlipsBetter(0)
                        .setIncompleteCheckpoints(0)
                        .setSummariesKept(1)
                        .setReportsKept(1)
                        .setRecentAlerts(List.of(alert(AlertType.ENTROPY_COLLAPSE)))
                        .setModel("m")
                        .setTags(Map.of())
                        .build();
        byte[] stateBytes =
                from05.<RunState>serde(RunState.getClassSchema(), AvroSerde.Format.avro)
                        .serializer()
                        .serialize("t", from05.fit(state));
        GenericRecord oldState = asRelease(stateBytes, history("run_state-v3.avsc"));
        assertThat(((GenericRecord) oldState.get("latest_complete")).get("checkpoint"))
                .isEqualTo(200L);
        assertThat((List<?>) oldState.get("recent_alerts"))
                .as("0.5 knows the health alerts")
                .hasSize(1);
        assertThat(from05.codec(CheckpointReport.getClassSchema()).toAvro(report))
                .as("reports as today's")
                .isEqualTo(
                        Compatibility.CURRENT
                                .codec(CheckpointReport.getClassSchema())
                                .toAvro(report));
    }

    @Test
    void reportsAreWrittenAsVersion1AndReadBackAsToday() throws IOException {
        CheckpointReport report = TrackVerdictsProcessorTest.complete("r", 200, 0.05);
        AvroCodec<CheckpointReport> codec = FROM_0_1.codec(CheckpointReport.getClassSchema());
        byte[] bytes = codec.toAvro(report);
        GenericRecord old = asRelease(bytes, history("checkpoint_report-v1.avsc"));
        assertThat(old.get("checkpoint")).isEqualTo(200L);
        assertThat(old.getSchema().getField("tags")).as("a v2 field").isNull();
        CheckpointReport back =
                new AvroCodec<CheckpointReport>(CheckpointReport.getClassSchema()).decode(bytes);
        assertThat(back.getCheckpoint()).isEqualTo(200L);
        assertThat(back.getVerdict()).isEqualTo(report.getVerdict());
        assertThat(Compatibility.CURRENT.codec(CheckpointReport.getClassSchema()).toAvro(report))
                .as("today's bytes")
                .isNotEqualTo(bytes);
    }

    @Test
    void runStatesAreWrittenAsVersion1WithoutTheAlertsVersion1DoesNotKnow() throws IOException {
        RunState state =
                RunState.newBuilder()
                        .setRunId("r")
                        .setPrimaryAnchor(dev.headgeo.avro.Anchor.LAST)
                        .setLastCheckpoint(200)
                        .setLastStatus(dev.headgeo.avro.ReportStatus.COMPLETE)
                        .setLastReportAt(1000)
                        .setLatestComplete(null)
                        .setForecast(null)
                        .setFlips(1)
                        .setFlipsBetter(1)
                        .setIncompleteCheckpoints(0)
                        .setSummariesKept(1)
                        .setReportsKept(1)
                        .setRecentAlerts(
                                List.of(
                                        alert(AlertType.VERDICT_FLIP),
                                        alert(AlertType.FLIP_FORECAST_WITHDRAWN),
                                        alert(AlertType.INCOMPLETE_RESOLVED)))
                        .setModel("m")
                        .setTags(Map.of())
                        .build();
        assertThat(FROM_0_1.writes(alert(AlertType.VERDICT_FLIP))).isTrue();
        assertThat(FROM_0_1.writes(alert(AlertType.INCOMPLETE_RESOLVED))).isFalse();
        assertThat(Compatibility.CURRENT.writes(alert(AlertType.INCOMPLETE_RESOLVED))).isTrue();
        AvroSerde<RunState> serde =
                FROM_0_1.serde(RunState.getClassSchema(), AvroSerde.Format.avro);
        byte[] bytes = serde.serializer().serialize("t", FROM_0_1.fit(state));
        GenericRecord old = asRelease(bytes, history("run_state-v1.avsc"));
        assertThat((List<?>) old.get("recent_alerts")).hasSize(1);
        assertThat(serde.deserializer().deserialize("t", bytes).getRecentAlerts())
                .extracting(Alert::getType)
                .containsExactly(AlertType.VERDICT_FLIP);
        assertThat(state.getRecentAlerts()).as("fit leaves its argument as it was").hasSize(3);
    }

    @Test
    void releasesAreNamedAsOperatorsWriteThem() {
        assertThat(Compatibility.Release.parse("0.1")).isEqualTo(Compatibility.Release.V0_1);
        assertThat(Compatibility.Release.parse("v0.1.0")).isEqualTo(Compatibility.Release.V0_1);
        assertThat(Compatibility.upgradingFrom(Compatibility.Release.parse("0.4")))
                .isNotSameAs(Compatibility.CURRENT);
        assertThatThrownBy(() -> Compatibility.Release.parse("0.3"))
                .hasMessageContaining("0.1, 0.4 or 0.5");
    }

    @Test
    void stateOfANewerReleaseStopsTheProcessorWithOneLine() {
        byte[] unknown = new byte[] {(byte) 0xC3, 0x01, 1, 2, 3, 4, 5, 6, 7, 8, 0};
        AvroSerde<RunState> serde =
                new AvroSerde<>(RunState.getClassSchema(), AvroSerde.Format.avro);
        Throwable e =
                org.assertj.core.api.Assertions.catchThrowable(
                        () -> serde.deserializer().deserialize("t", unknown));
        assertThat(e).isInstanceOf(AvroCodec.UnknownVersionException.class);
        assertThat(FailurePolicy.fatalCauseOf(new RuntimeException(e)))
                .contains("newer headgeo release", "unknown schema fingerprint");
    }
}
