package dev.headgeo.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.headgeo.analysis.AnalysisResult;
import dev.headgeo.analysis.Anchor;
import dev.headgeo.analysis.SaScheduleAnalyzer;
import dev.headgeo.avro.CheckpointReport;
import dev.headgeo.avro.LayerFit;
import dev.headgeo.avro.LayerGeometry;
import dev.headgeo.avro.ReportStatus;
import dev.headgeo.avro.RunState;
import dev.headgeo.avro.Verdict;
import dev.headgeo.dump.LayerRecords;
import dev.headgeo.report.ReportMapper;
import dev.headgeo.testing.Golden;
import dev.headgeo.testing.Python;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageDecoder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Report v2, layer record v2 and run state v2 (design §10, §13): each earlier version kept in
 * schemas/history reads the new records (Avro resolution, reader old, writer new) and today's code
 * reads the old ones, checked by Avro's own SchemaCompatibility and with bytes from Python's avro.
 */
class SchemaEvolutionTest {
    @TempDir Path tmp;

    /**
     * Schemas whose earlier versions must also read today's records (§10: report and layer;
     * internal state).
     */
    static Stream<Schema> evolvedSchemas() {
        return Stream.of(
                CheckpointReport.getClassSchema(),
                LayerGeometry.getClassSchema(),
                RunState.getClassSchema(),
                dev.headgeo.avro.RunHistory.getClassSchema(),
                dev.headgeo.avro.Alert.getClassSchema());
    }

    /**
     * Versions whose readers cannot take today's records (and need not: design §13), by schema
     * name.
     */
    static boolean readsToday(Schema earlier) {
        // alert v1 has no default enum symbol: the alert types added since are unknown to it
        return !(earlier.getName().equals("Alert") && earlier.getField("earlier_verdicts") == null);
    }

    /**
     * Alert v1 has no default symbol, so its reader cannot take the alert types added since
     * (FLIP_FORECAST); what is promised there is one way: today's code reads v1 alerts.
     */
    @Test
    void todaysAlertReadsTheFirstAndTheFirstFailsOnlyOnNewAlertTypes() {
        Schema current = dev.headgeo.avro.Alert.getClassSchema();
        Schema v1 = SchemaHistory.earlierVersionsOf(current).get(0);
        assertThat(readsToday(v1)).isFalse();
        assertThat(SchemaCompatibility.checkReaderWriterCompatibility(current, v1).getType())
                .isEqualTo(SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE);
        var backwards =
                SchemaCompatibility.checkReaderWriterCompatibility(v1, current)
                        .getResult()
                        .getIncompatibilities();
        assertThat(backwards)
                .extracting(i -> i.getType().name())
                .containsOnly("MISSING_ENUM_SYMBOLS");
    }

    static Schema previous(Schema current) {
        List<Schema> earlier = SchemaHistory.earlierVersionsOf(current);
        assertThat(earlier)
                .as("schemas/history holds an earlier " + current.getName())
                .isNotEmpty();
        return earlier.get(earlier.size() - 1);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("evolvedSchemas")
    void everyEarlierVersionAndTodaysReadEachOthersRecords(Schema current) {
        for (Schema earlier : SchemaHistory.earlierVersionsOf(current)) {
            assertThat(
                            SchemaCompatibility.checkReaderWriterCompatibility(current, earlier)
                                    .getType())
                    .as("today's " + current.getName() + " reads the earlier version")
                    .isEqualTo(SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE);
            if (readsToday(earlier)) {
                assertThat(
                                SchemaCompatibility.checkReaderWriterCompatibility(earlier, current)
                                        .getType())
                        .as("the earlier " + current.getName() + " reads today's")
                        .isEqualTo(SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE);
            }
        }
    }

    @Test
    void aVersion1ReportWrittenByPythonsAvroDecodesWithEmptyHeadMapsAndNoContext()
            throws IOException {
        CheckpointReport r =
                new AvroCodec<CheckpointReport>(CheckpointReport.getClassSchema())
                        .decode(SchemaCompatibilityTest.oldBytes("checkpoint_report-v1.bin"));

        assertThat(r.getRunId()).isEqualTo("gpt2-small-42");
        assertThat(r.getCheckpoint()).isEqualTo(3000L);
        assertThat(r.getStatus()).isEqualTo(ReportStatus.COMPLETE);
        assertThat(r.getNumLayers()).isEqualTo(2);
        assertThat(r.getShapeInvariance().getPerHead()).containsExactly(0.96875);
        assertThat(r.getFits()).hasSize(3);
        assertThat(r.getFits().get(2).getAnchor()).isEqualTo(dev.headgeo.avro.Anchor.BEST);
        LayerFit row = r.getFits().get(0).getLayers().get(0);
        assertThat(row.getMeanResidual()).isEqualTo(0.25);
        assertThat(row.getMeanScale()).isEqualTo(1.5);
        assertThat(row.getHeadResiduals()).isEmpty();
        assertThat(row.getHeadScales()).isEmpty();
        assertThat(r.getCrossHeadSimilarity()).containsExactly(null, null);
        assertThat(r.getVerdict()).isEqualTo(Verdict.PARTIALLY_SUPPORTED);
        assertThat(r.getAnalyzedAt()).isEqualTo(Instant.ofEpochMilli(1764633601500L));
        assertThat(r.getModel()).isNull();
        assertThat(r.getTags()).isEmpty();
    }

    @Test
    void aVersion2AlertWrittenByPythonsAvroDecodesAndGetsItsSeverityDerived() throws IOException {
        dev.headgeo.avro.Alert a =
                new AvroCodec<dev.headgeo.avro.Alert>(dev.headgeo.avro.Alert.getClassSchema())
                        .decode(SchemaCompatibilityTest.oldBytes("alert-v2-recovery.bin"));

        assertThat(a.getType()).isEqualTo(dev.headgeo.avro.AlertType.VERDICT_FLIP);
        assertThat(a.getLaterVerdicts()).hasSize(1);
        assertThat(a.getSeverity()).isNull();
        assertThat(a.getTags()).isEmpty();
        assertThat(dev.headgeo.stream.RunAlerts.severityOf(a))
                .as("a recovery")
                .isEqualTo(dev.headgeo.avro.Severity.INFO);
    }

    @Test
    void aVersion1LayerWrittenByPythonsAvroDecodesWithoutTags() throws IOException {
        byte[] bytes = SchemaCompatibilityTest.oldBytes("layer_geometry-v1.bin");
        LayerGeometry generated =
                new AvroCodec<LayerGeometry>(LayerGeometry.getClassSchema()).decode(bytes);
        LayerValues primitive = new LayerReader().read(bytes);

        assertThat(generated.getMetricSingvalsPerHead())
                .containsExactly(List.of(3.0, 1.0), List.of(2.0));
        assertThat(generated.getModel()).isEqualTo("gpt2");
        assertThat(generated.getTags()).isNull();
        assertThat(primitive.runId()).isEqualTo("gpt2-small-42");
        assertThat(primitive.entropy()).containsExactly(0.5, 0.25);
        assertThat(primitive.tags()).isEmpty();
    }

    @Test
    void aLayerIsWrittenInTheOldestVersionThatHoldsItsFields() throws IOException {
        AvroCodec<LayerGeometry> codec = new AvroCodec<>(LayerGeometry.getClassSchema());
        List<LayerGeometry> plain =
                LayerRecords.split(Golden.dump("two_layers"), "r", 1, "m", null);
        List<LayerGeometry> tagged =
                LayerRecords.split(
                        Golden.dump("two_layers"),
                        "r",
                        1,
                        "m",
                        null,
                        Map.of("owner", "ana", "lr", "3e-4"));

        assertThat(fingerprint(codec.toAvro(plain.get(0))))
                .isEqualTo(
                        SchemaNormalization.parsingFingerprint64(
                                version(LayerGeometry.getClassSchema(), 1)));
        assertThat(fingerprint(codec.toAvro(tagged.get(0))))
                .isEqualTo(
                        SchemaNormalization.parsingFingerprint64(
                                version(LayerGeometry.getClassSchema(), 2)));
        LayerGeometry measured =
                LayerGeometry.newBuilder(plain.get(0))
                        .setMaxAttentionLogitPerHead(List.of(12.5, 3.0))
                        .setProbeTokens(64)
                        .build();
        assertThat(fingerprint(codec.toAvro(measured)))
                .isEqualTo(
                        SchemaNormalization.parsingFingerprint64(LayerGeometry.getClassSchema()));
        assertThat(new LayerReader().read(codec.toAvro(measured)).maxLogit())
                .containsExactly(12.5, 3.0);
        assertThat(new LayerReader().read(codec.toAvro(measured)).probeTokens()).isEqualTo(64);
        assertThat(
                        oldReader(LayerGeometry.getClassSchema())
                                .decode(codec.toAvro(measured))
                                .get("run_id")
                                .toString())
                .isEqualTo("r");
        assertThat(codec.decode(codec.toAvro(tagged.get(0))).getTags())
                .isEqualTo(Map.of("owner", "ana", "lr", "3e-4"));
        assertThat(new LayerReader().read(codec.toAvro(tagged.get(1))).tags())
                .isEqualTo(Map.of("owner", "ana", "lr", "3e-4"));

        // a processor of the previous release reads both
        BinaryMessageDecoder<GenericRecord> old = oldReader(LayerGeometry.getClassSchema());
        assertThat(old.decode(codec.toAvro(plain.get(0))).get("run_id").toString()).isEqualTo("r");
        GenericRecord oldView = old.decode(codec.toAvro(tagged.get(0)));
        assertThat(oldView.get("num_layers")).isEqualTo(2);
        assertThat(oldView.getSchema().getField("tags")).isNull();
    }

    @Test
    void aReaderOfVersion1ReadsAVersion2ReportWithoutTheNewFields() throws IOException {
        CheckpointReport v2 = report();
        BinaryMessageDecoder<GenericRecord> old = oldReader(CheckpointReport.getClassSchema());

        GenericRecord read =
                old.decode(
                        new AvroCodec<CheckpointReport>(CheckpointReport.getClassSchema())
                                .toAvro(v2));

        assertThat(read.get("run_id").toString()).isEqualTo("r");
        assertThat(read.get("verdict").toString()).isEqualTo(v2.getVerdict().name());
        GenericRecord lastFit = (GenericRecord) ((List<?>) read.get("fits")).get(0);
        GenericRecord row = (GenericRecord) ((List<?>) lastFit.get("layers")).get(1);
        assertThat(row.get("mean_residual"))
                .isEqualTo(v2.getFits().get(0).getLayers().get(1).getMeanResidual());
        assertThat(row.getSchema().getField("head_residuals")).isNull();
        assertThat(read.getSchema().getField("tags")).isNull();
    }

    @Test
    void pythonsAvroWithTheVersion1SchemasReadsTodaysReportAndLayer() throws IOException {
        Optional<String> python = Python.withModules("avro");
        assumeTrue(python.isPresent(), "no python3 with avro (apt-get install python3-avro)");
        Path reportBytes =
                Files.write(
                        tmp.resolve("report.bin"),
                        new AvroCodec<CheckpointReport>(CheckpointReport.getClassSchema())
                                .toAvro(report()));
        JsonNode report =
                pythonRead(
                        python.get(),
                        "checkpoint_report",
                        "checkpoint_report-v1.avsc",
                        reportBytes);
        assertThat(report.get("run_id").asText()).isEqualTo("r");
        assertThat(report.get("fits").get(0).get("layers").get(1).get("mean_residual").asDouble())
                .isEqualTo(report().getFits().get(0).getLayers().get(1).getMeanResidual());
        assertThat(report.get("fits").get(0).get("layers").get(1).has("head_residuals")).isFalse();
        assertThat(report.has("tags")).isFalse();

        LayerGeometry tagged =
                LayerRecords.split(
                                Golden.dump("two_layers"),
                                "r",
                                1,
                                "m",
                                null,
                                Map.of("owner", "ana"))
                        .get(1);
        tagged.setMaxAttentionLogitPerHead(List.of(40.0, 7.5));
        tagged.setQkNorm(true);
        Path layerBytes =
                Files.write(
                        tmp.resolve("layer.bin"),
                        new AvroCodec<LayerGeometry>(LayerGeometry.getClassSchema())
                                .toAvro(tagged));
        JsonNode layer =
                pythonRead(python.get(), "layer_geometry", "layer_geometry-v1.avsc", layerBytes);
        assertThat(layer.get("layer").asInt()).isEqualTo(1);
        assertThat(layer.get("model").asText()).isEqualTo("m");
        assertThat(layer.has("tags")).isFalse();
    }

    @Test
    void aRunStateOfVersion1ReadsWithNoModelAndNoTags() throws IOException {
        Schema v1 = version(RunState.getClassSchema(), 1);
        GenericRecord old = new GenericData.Record(v1);
        old.put("run_id", "r");
        old.put(
                "primary_anchor",
                new GenericData.EnumSymbol(v1.getField("primary_anchor").schema(), "LAST"));
        old.put("last_checkpoint", 7L);
        old.put(
                "last_status",
                new GenericData.EnumSymbol(v1.getField("last_status").schema(), "COMPLETE"));
        old.put("last_report_at", 5L);
        old.put("latest_complete", null);
        old.put("forecast", null);
        old.put("flips", 2);
        old.put("incomplete_checkpoints", 0);
        old.put("summaries_kept", 1);
        old.put("reports_kept", 1);
        old.put("recent_alerts", List.of());

        RunState read =
                new AvroCodec<RunState>(RunState.getClassSchema())
                        .decode(SchemaCompatibilityTest.encodeQuietly(v1, old));

        assertThat(read.getLastCheckpoint()).isEqualTo(7L);
        assertThat(read.getFlips()).isEqualTo(2);
        assertThat(read.getModel()).isNull();
        assertThat(read.getTags()).isEmpty();
    }

    private JsonNode pythonRead(String python, String name, String historyFile, Path bytes)
            throws IOException {
        ProcessBuilder pb =
                Python.processBuilder(
                                python, List.of("tools/read_with_old_schema.py", name, historyFile))
                        .redirectInput(bytes.toFile());
        Process p = pb.start();
        String out =
                new String(
                        p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        try {
            assertThat(p.waitFor()).as(out).isZero();
        } catch (InterruptedException e) {
            throw new IOException(e);
        }
        return Json.MAPPER.readTree(out);
    }

    /** A reader of version 1 that takes records of every later version. */
    private static BinaryMessageDecoder<GenericRecord> oldReader(Schema current) {
        BinaryMessageDecoder<GenericRecord> old =
                new BinaryMessageDecoder<>(GenericData.get(), version(current, 1));
        SchemaHistory.earlierVersionsOf(current).forEach(old::addSchema);
        old.addSchema(current);
        return old;
    }

    /** Version {@code n} (1-based) of an evolved schema, from schemas/history. */
    static Schema version(Schema current, int n) {
        return SchemaHistory.earlierVersionsOf(current).get(n - 1);
    }

    private static CheckpointReport report() {
        AnalysisResult all =
                SaScheduleAnalyzer.analyze(
                        Golden.dump("supported_12x12x64").spectra(), EnumSet.allOf(Anchor.class));
        return ReportMapper.complete(
                new ReportMapper.Origin("r", 1, null, null, null, "gpt2", Map.of("owner", "ana")),
                all,
                Anchor.LAST);
    }

    private static long fingerprint(byte[] singleObject) {
        return ByteBuffer.wrap(singleObject, 2, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }
}
