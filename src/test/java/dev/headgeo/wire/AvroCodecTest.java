package dev.headgeo.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.headgeo.avro.LayerGeometry;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class AvroCodecTest {
    final AvroCodec<LayerGeometry> codec = new AvroCodec<>(LayerGeometry.getClassSchema());

    final LayerGeometry layer =
            LayerGeometry.newBuilder()
                    .setRunId("run")
                    .setCheckpoint(1200)
                    .setLayer(3)
                    .setNumLayers(12)
                    .setNumHeads(2)
                    .setMetricSingvalsPerHead(List.of(List.of(3.0, 1.0), List.of(2.0)))
                    .setMeanAttentionEntropyPerHead(List.of(0.5, 0.25))
                    .setModel("gpt")
                    .setEmittedAt(Instant.ofEpochMilli(1_700_000_000_123L))
                    .build();

    @Test
    void avroSingleObjectAndJsonBothRoundTrip() {
        byte[] avro = codec.toAvro(layer);
        assertThat(avro[0]).isEqualTo((byte) 0xC3);
        assertThat(avro[1]).isEqualTo((byte) 0x01);
        assertThat(codec.decode(avro)).isEqualTo(layer);
        byte[] json = codec.toJson(layer);
        assertThat(new String(json, StandardCharsets.UTF_8))
                .doesNotContain("\n")
                .contains("\"emitted_at\":1700000000123");
        assertThat(codec.decode(json)).isEqualTo(layer);
    }

    @Test
    void encodesTheBytesAvrosOwnMessageEncoderWritesForEveryRecordKind() throws Exception {
        var analysis =
                dev.headgeo.analysis.SaScheduleAnalyzer.analyze(
                        dev.headgeo.testing.Golden.dump("ragged_ranks").spectra(),
                        java.util.EnumSet.allOf(dev.headgeo.analysis.Anchor.class));
        dev.headgeo.avro.CheckpointReport report =
                dev.headgeo.report.ReportMapper.complete(
                        new dev.headgeo.report.ReportMapper.Origin(
                                "r",
                                7,
                                Instant.ofEpochMilli(1),
                                Instant.ofEpochMilli(2),
                                Instant.ofEpochMilli(3)),
                        analysis,
                        dev.headgeo.analysis.Anchor.LAST);
        // nulls inside the per-head maps (the script's nan) and in optional fields
        report.getFits().get(0).getLayers().get(0).getHeadResiduals().set(0, null);
        report.setModel(null);
        report.setTags(java.util.Map.of("owner", "ana"));
        assertSameBytesAsAvro(report);
        assertSameBytesAsAvro(
                dev.headgeo.report.ReportMapper.incomplete(
                        new dev.headgeo.report.ReportMapper.Origin("r", 8, null, null, null),
                        4,
                        2,
                        8,
                        List.of(1, 3),
                        dev.headgeo.analysis.Anchor.LAST));
        assertSameBytesAsAvro(layer);
        LayerGeometry tagged =
                LayerGeometry.newBuilder(layer).setTags(java.util.Map.of("lr", "3e-4")).build();
        assertSameBytesAsAvro(tagged);
        assertSameBytesAsAvro(
                LayerGeometry.newBuilder(tagged)
                        .setMaxAttentionLogitPerHead(List.of(40.5, 3.0))
                        .setProbeTokens(64)
                        .setQkNorm(true)
                        .build());
    }

    @SuppressWarnings("unchecked")
    private static <T extends org.apache.avro.specific.SpecificRecord> void assertSameBytesAsAvro(
            T record) throws Exception {
        AvroCodec<T> codec = new AvroCodec<>(record.getSchema());
        byte[] ours = codec.toAvro(record);
        long fingerprint = AvroCodec.singleObjectFingerprint(ours, record.getSchema());
        // the writer the fingerprint names: today's schema or the earlier version a layer record is
        // written in
        org.apache.avro.Schema writer =
                SchemaHistory.earlierVersionsOf(record.getSchema()).stream()
                        .filter(
                                s ->
                                        org.apache.avro.SchemaNormalization.parsingFingerprint64(s)
                                                == fingerprint)
                        .findFirst()
                        .orElse(record.getSchema());
        assertThat(org.apache.avro.SchemaNormalization.parsingFingerprint64(writer))
                .isEqualTo(fingerprint);
        java.nio.ByteBuffer avro =
                new org.apache.avro.message.BinaryMessageEncoder<T>(
                                org.apache.avro.specific.SpecificData.getForSchema(
                                        record.getSchema()),
                                writer)
                        .encode(record);
        byte[] theirs = new byte[avro.remaining()];
        avro.get(theirs);
        assertThat(ours).as(record.getSchema().getName()).isEqualTo(theirs);
        assertThat(codec.decode(ours)).isEqualTo(record);
    }

    @Test
    void jsonAsPythonWritesItIsAccepted() {
        String json =
                "  {\"run_id\": \"run\", \"checkpoint\": 1200.0, \"layer\": 3, \"num_layers\": 12,"
                        + " \"num_heads\": 2, \"metric_singvals_per_head\": [[3, 1], [2]],"
                        + " \"mean_attention_entropy_per_head\": [0.5, 0.25], \"model\": \"gpt\","
                        + " \"emitted_at\": \"2023-11-14T22:13:20.123Z\", \"extra\": true}";
        assertThat(codec.decode(json.getBytes(StandardCharsets.UTF_8))).isEqualTo(layer);
    }

    @Test
    void optionalFieldsMayBeLeftOut() {
        String json =
                "{\"run_id\": \"run\", \"checkpoint\": 1, \"layer\": 0, \"num_layers\": 1,"
                        + " \"num_heads\": 1, \"metric_singvals_per_head\": [[1]],"
                        + " \"mean_attention_entropy_per_head\": [NaN]}";
        LayerGeometry decoded = codec.decode(json.getBytes(StandardCharsets.UTF_8));
        assertThat(decoded.getModel()).isNull();
        assertThat(decoded.getEmittedAt()).isNull();
        assertThat(decoded.getMeanAttentionEntropyPerHead().get(0)).isNaN();
    }

    @Test
    void whatCannotBeDecodedSaysWhy() {
        assertThatThrownBy(
                        () ->
                                codec.decode(
                                        "{\"run_id\": \"run\"}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(AvroCodec.MalformedException.class)
                .hasMessageContaining("missing field checkpoint");
        assertThatThrownBy(() -> codec.decode("{\"run_id\": 7}".getBytes(StandardCharsets.UTF_8)))
                .hasMessageContaining("run_id must be a string");
        assertThatThrownBy(
                        () ->
                                codec.decode(
                                        new byte[] {(byte) 0xC3, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 2}))
                .hasMessageContaining("single-object");
        assertThatThrownBy(() -> codec.decode(new byte[0])).hasMessageContaining("empty");
        assertThatThrownBy(() -> codec.decode("[1,2]".getBytes(StandardCharsets.UTF_8)))
                .hasMessageContaining("not an object");
        String fractional =
                new String(codec.toJson(layer), StandardCharsets.UTF_8)
                        .replace("\"layer\":3", "\"layer\":3.5");
        assertThatThrownBy(() -> codec.decode(fractional.getBytes(StandardCharsets.UTF_8)))
                .hasMessageContaining("layer must be an integer");
    }
}
