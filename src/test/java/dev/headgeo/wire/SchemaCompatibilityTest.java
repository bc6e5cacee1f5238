package dev.headgeo.wire;

import static org.assertj.core.api.Assertions.assertThat;

import dev.headgeo.avro.Alert;
import dev.headgeo.avro.AlertType;
import dev.headgeo.avro.Anchor;
import dev.headgeo.avro.AnchorVerdict;
import dev.headgeo.avro.CheckpointReport;
import dev.headgeo.avro.RunHistory;
import dev.headgeo.avro.Verdict;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.GenericRecordBuilder;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.junit.jupiter.api.Test;

/**
 * The alert and run-history schemas grew fields and an alert type: old values still decode, and old
 * readers read new alerts.
 */
class SchemaCompatibilityTest {
    static Schema version1(String resource) throws IOException {
        Schema.Parser parser = new Schema.Parser();
        parser.addTypes(
                List.of(
                        CheckpointReport.getClassSchema().getField("primary_anchor").schema(),
                        Verdict.getClassSchema(),
                        dev.headgeo.avro.ReportStatus.getClassSchema()));
        try (InputStream in =
                SchemaCompatibilityTest.class.getResourceAsStream(
                        "/dev/headgeo/wire/schema-history/" + resource)) {
            return parser.parse(in);
        }
    }

    static byte[] encode(Schema schema, GenericRecord record) throws IOException {
        ByteBuffer b =
                new BinaryMessageEncoder<GenericRecord>(GenericData.get(), schema).encode(record);
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    static byte[] encodeQuietly(Schema schema, GenericRecord record) {
        try {
            return encode(schema, record);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * Bytes written by Python's avro library with a schema of schemas/history ({@code
     * tools/write_old_bytes.py}).
     */
    static byte[] oldBytes(String name) throws IOException {
        try (InputStream in =
                SchemaCompatibilityTest.class.getResourceAsStream("/schema-bytes/" + name)) {
            return in.readAllBytes();
        }
    }

    @Test
    void aFlipAlertWrittenWithTheFirstSchemaDecodesWithEveryField() throws IOException {
        Alert decoded =
                new AvroCodec<Alert>(Alert.getClassSchema()).decode(oldBytes("alert-v1-flip.bin"));

        assertThat(decoded.getType()).isEqualTo(AlertType.VERDICT_FLIP);
        assertThat(decoded.getRunId()).isEqualTo("gpt2-small-42");
        assertThat(decoded.getCheckpoint()).isEqualTo(3000L);
        assertThat(decoded.getMessage())
                .isEqualTo(
                        "run gpt2-small-42: verdict (LAST anchor) flipped from SUPPORTED at"
                                + " checkpoint 2000 to REJECTED at checkpoint 3000");
        assertThat(decoded.getAnchor()).isEqualTo(Anchor.LAST);
        assertThat(decoded.getEarlierCheckpoint()).isEqualTo(2000L);
        assertThat(decoded.getEarlierVerdict()).isEqualTo(Verdict.SUPPORTED);
        assertThat(decoded.getEarlierMeanResidual()).isEqualTo(0.0625);
        assertThat(decoded.getLaterCheckpoint()).isEqualTo(3000L);
        assertThat(decoded.getLaterVerdict()).isEqualTo(Verdict.REJECTED);
        assertThat(decoded.getLaterMeanResidual()).isEqualTo(0.4375);
        assertThat(decoded.getNumLayers()).isNull();
        assertThat(decoded.getMissingLayers()).isEmpty();
        assertThat(decoded.getRaisedAt()).isEqualTo(Instant.ofEpochMilli(1764633600123L));
        // fields added after v1 take their defaults
        assertThat(decoded.getEarlierVerdicts()).isEmpty();
        assertThat(decoded.getLaterVerdicts()).isEmpty();
        assertThat(decoded.getBoundary()).isNull();
        assertThat(decoded.getForecastCheckpoint()).isNull();
    }

    @Test
    void anIncompleteAlertWrittenWithTheFirstSchemaDecodesWithEveryField() throws IOException {
        Alert decoded =
                new AvroCodec<Alert>(Alert.getClassSchema())
                        .decode(oldBytes("alert-v1-incomplete.bin"));

        assertThat(decoded.getType()).isEqualTo(AlertType.INCOMPLETE_CHECKPOINT);
        assertThat(decoded.getRunId()).isEqualTo("r");
        assertThat(decoded.getCheckpoint()).isEqualTo(7L);
        assertThat(decoded.getMessage()).isEqualTo("incomplete");
        assertThat(decoded.getAnchor()).isNull();
        assertThat(decoded.getEarlierCheckpoint()).isNull();
        assertThat(decoded.getLaterVerdict()).isNull();
        assertThat(decoded.getNumLayers()).isEqualTo(12);
        assertThat(decoded.getMissingLayers()).containsExactly(3, 11);
        assertThat(decoded.getRaisedAt()).isEqualTo(Instant.ofEpochMilli(1764633600999L));
    }

    @Test
    void aRunHistoryWrittenWithTheFirstSchemaDecodesWithEveryField() throws IOException {
        RunHistory decoded =
                new AvroCodec<RunHistory>(RunHistory.getClassSchema())
                        .decode(oldBytes("run_history-v1.bin"));

        assertThat(decoded.getEntries()).hasSize(2);
        assertThat(decoded.getEntries().get(0).getCheckpoint()).isEqualTo(100L);
        assertThat(decoded.getEntries().get(0).getStatus())
                .isEqualTo(dev.headgeo.avro.ReportStatus.COMPLETE);
        assertThat(decoded.getEntries().get(0).getVerdict()).isEqualTo(Verdict.SUPPORTED);
        assertThat(decoded.getEntries().get(0).getMeanResidual()).isEqualTo(0.05);
        assertThat(decoded.getEntries().get(0).getAnchorVerdicts()).isEmpty();
        assertThat(decoded.getEntries().get(1).getCheckpoint()).isEqualTo(200L);
        assertThat(decoded.getEntries().get(1).getStatus())
                .isEqualTo(dev.headgeo.avro.ReportStatus.INCOMPLETE);
        assertThat(decoded.getEntries().get(1).getVerdict()).isNull();
        assertThat(decoded.getEntries().get(1).getMeanResidual()).isNull();
        assertThat(decoded.getForgottenBelow()).isEqualTo(42L);
        assertThat(decoded.getLastClosedAt()).isEqualTo(1764633600000L);
        assertThat(decoded.getForecast()).isNull();
        assertThat(decoded.getFlipControl()).isNull();
        assertThat(decoded.getAlertedForecast()).isNull();
    }

    @Test
    void aReaderWithTheFirstSchemaReadsNewFlipAndIncompleteAlerts() throws IOException {
        Schema v1 = version1("alert-v1.avsc");
        Alert flip =
                Alert.newBuilder()
                        .setType(AlertType.VERDICT_FLIP)
                        .setRunId("r")
                        .setCheckpoint(2)
                        .setMessage("m")
                        .setEarlierVerdicts(
                                List.of(new AnchorVerdict(Anchor.LAST, Verdict.SUPPORTED, 0.05)))
                        .setLaterVerdicts(
                                List.of(new AnchorVerdict(Anchor.LAST, Verdict.REJECTED, 0.5)))
                        .setLaterVerdict(Verdict.REJECTED)
                        .setRaisedAt(Instant.ofEpochMilli(3))
                        .build();
        BinaryMessageDecoder<GenericRecord> oldReader =
                new BinaryMessageDecoder<>(GenericData.get(), v1);
        oldReader.addSchema(Alert.getClassSchema());

        GenericRecord read =
                oldReader.decode(new AvroCodec<Alert>(Alert.getClassSchema()).toAvro(flip));

        assertThat(read.get("type").toString()).isEqualTo("VERDICT_FLIP");
        assertThat(read.get("run_id").toString()).isEqualTo("r");
        assertThat(read.get("checkpoint")).isEqualTo(2L);
        assertThat(read.get("message").toString()).isEqualTo("m");
        assertThat(read.get("later_verdict").toString()).isEqualTo("REJECTED");
        assertThat(read.get("earlier_verdict")).isNull();
        assertThat(read.get("raised_at")).isEqualTo(3L);
        assertThat(read.getSchema().getField("later_verdicts")).isNull();
    }

    @Test
    void anAlertTypeAddedLaterReadsAsUnknown() throws IOException {
        Schema future =
                new Schema.Parser()
                        .parse(
                                Alert.getClassSchema()
                                        .toString()
                                        .replace(
                                                "\"FLIP_FORECAST\",\"UNKNOWN\"",
                                                "\"FLIP_FORECAST\",\"UNKNOWN\",\"SOMETHING_NEW\""));
        GenericRecord record =
                new GenericRecordBuilder(future)
                        .set(
                                "type",
                                new GenericData.EnumSymbol(
                                        future.getField("type").schema(), "SOMETHING_NEW"))
                        .set("run_id", "r")
                        .set("checkpoint", 1L)
                        .set("message", "m")
                        .set("raised_at", 1L)
                        .build();

        BinaryMessageDecoder<Alert> reader =
                new BinaryMessageDecoder<>(
                        org.apache.avro.specific.SpecificData.getForSchema(Alert.getClassSchema()),
                        Alert.getClassSchema());
        reader.addSchema(future);
        Alert read = reader.decode(encode(future, record));

        assertThat(read.getType()).isEqualTo(AlertType.UNKNOWN);
    }
}
