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

/** The alert and run-history schemas grew fields and an alert type: old values still decode, and old readers read new alerts. */
class SchemaCompatibilityTest {
    static Schema version1(String resource) throws IOException {
        Schema.Parser parser = new Schema.Parser();
        parser.addTypes(List.of(CheckpointReport.getClassSchema().getField("primary_anchor").schema(), Verdict.getClassSchema(),
                dev.headgeo.avro.ReportStatus.getClassSchema()));
        try (InputStream in = SchemaCompatibilityTest.class.getResourceAsStream("/dev/headgeo/wire/schema-history/" + resource)) {
            return parser.parse(in);
        }
    }

    static byte[] encode(Schema schema, GenericRecord record) throws IOException {
        ByteBuffer b = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), schema).encode(record);
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    @Test
    void anAlertWrittenWithTheFirstSchemaStillDecodes() throws IOException {
        Schema v1 = version1("alert-v1.avsc");
        Schema type = v1.getField("type").schema();
        GenericRecord old = new GenericRecordBuilder(v1)
                .set("type", new GenericData.EnumSymbol(type, "VERDICT_FLIP")).set("run_id", "r").set("checkpoint", 2L)
                .set("message", "flipped").set("earlier_checkpoint", 1L).set("missing_layers", List.of()).set("raised_at", 5L)
                .build();

        Alert decoded = new AvroCodec<Alert>(Alert.getClassSchema()).decode(encode(v1, old));

        assertThat(decoded.getType()).isEqualTo(AlertType.VERDICT_FLIP);
        assertThat(decoded.getRunId()).isEqualTo("r");
        assertThat(decoded.getEarlierCheckpoint()).isEqualTo(1L);
        assertThat(decoded.getEarlierVerdicts()).isEmpty();
        assertThat(decoded.getBoundary()).isNull();
    }

    @Test
    void aRunHistoryWrittenWithTheFirstSchemaStillDecodes() throws IOException {
        Schema v1 = version1("run_history-v1.avsc");
        Schema closed = v1.getField("entries").schema().getElementType();
        GenericRecord entry = new GenericRecordBuilder(closed).set("checkpoint", 7L)
                .set("status", new GenericData.EnumSymbol(closed.getField("status").schema(), "COMPLETE"))
                .set("verdict", new GenericData.EnumSymbol(Verdict.getClassSchema(), "SUPPORTED")).set("mean_residual", 0.05).build();
        GenericRecord old = new GenericRecordBuilder(v1).set("entries", List.of(entry)).set("forgotten_below", -1L)
                .set("last_closed_at", 9L).build();

        RunHistory decoded = new AvroCodec<RunHistory>(RunHistory.getClassSchema()).decode(encode(v1, old));

        assertThat(decoded.getEntries()).hasSize(1);
        assertThat(decoded.getEntries().get(0).getMeanResidual()).isEqualTo(0.05);
        assertThat(decoded.getEntries().get(0).getAnchorVerdicts()).isEmpty();
        assertThat(decoded.getForecast()).isNull();
        assertThat(decoded.getFlipControl()).isNull();
    }

    @Test
    void aReaderWithTheFirstSchemaReadsNewFlipAndIncompleteAlerts() throws IOException {
        Schema v1 = version1("alert-v1.avsc");
        Alert flip = Alert.newBuilder().setType(AlertType.VERDICT_FLIP).setRunId("r").setCheckpoint(2).setMessage("m")
                .setEarlierVerdicts(List.of(new AnchorVerdict(Anchor.LAST, Verdict.SUPPORTED, 0.05)))
                .setLaterVerdicts(List.of(new AnchorVerdict(Anchor.LAST, Verdict.REJECTED, 0.5)))
                .setLaterVerdict(Verdict.REJECTED).setRaisedAt(Instant.ofEpochMilli(3)).build();
        BinaryMessageDecoder<GenericRecord> oldReader = new BinaryMessageDecoder<>(GenericData.get(), v1);
        oldReader.addSchema(Alert.getClassSchema());

        GenericRecord read = oldReader.decode(new AvroCodec<Alert>(Alert.getClassSchema()).toAvro(flip));

        assertThat(read.get("type").toString()).isEqualTo("VERDICT_FLIP");
        assertThat(read.get("later_verdict").toString()).isEqualTo("REJECTED");
        assertThat(read.getSchema().getField("later_verdicts")).isNull();
    }

    @Test
    void anAlertTypeAddedLaterReadsAsUnknown() throws IOException {
        Schema future = new Schema.Parser().parse(Alert.getClassSchema().toString()
                .replace("\"FLIP_FORECAST\",\"UNKNOWN\"", "\"FLIP_FORECAST\",\"UNKNOWN\",\"SOMETHING_NEW\""));
        GenericRecord record = new GenericRecordBuilder(future)
                .set("type", new GenericData.EnumSymbol(future.getField("type").schema(), "SOMETHING_NEW"))
                .set("run_id", "r").set("checkpoint", 1L).set("message", "m").set("raised_at", 1L).build();

        BinaryMessageDecoder<Alert> reader = new BinaryMessageDecoder<>(org.apache.avro.specific.SpecificData.getForSchema(
                Alert.getClassSchema()), Alert.getClassSchema());
        reader.addSchema(future);
        Alert read = reader.decode(encode(future, record));

        assertThat(read.getType()).isEqualTo(AlertType.UNKNOWN);
    }
}
