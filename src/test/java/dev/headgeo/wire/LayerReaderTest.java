package dev.headgeo.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.headgeo.avro.LayerGeometry;
import dev.headgeo.dump.LayerRecords;
import dev.headgeo.dump.SyntheticDumps;
import dev.headgeo.testing.Golden;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.junit.jupiter.api.Test;

/**
 * The primitive reader of layer records agrees with Avro's generated decoder, byte for byte of
 * input.
 */
class LayerReaderTest {
    final AvroCodec<LayerGeometry> codec = new AvroCodec<>(LayerGeometry.getClassSchema());
    final LayerReader reader = new LayerReader();

    @Test
    void readsWhatTheGeneratedDecoderReads() {
        List<LayerGeometry> records =
                new java.util.ArrayList<>(
                        LayerRecords.split(
                                Golden.dump("ragged_ranks"),
                                "r",
                                3,
                                "m",
                                Instant.ofEpochMilli(42)));
        records.addAll(
                LayerRecords.split(
                        SyntheticDumps.generate(4, 6, 33, 0.05, 11), "synthetic", 0, null, null));
        for (LayerGeometry record : records) {
            LayerValues read = reader.read(codec.toAvro(record));
            assertThat(read).usingRecursiveComparison().isEqualTo(LayerArrays.values(record));
            assertThat(read.singularValues()[0]).isEqualTo(LayerArrays.singularValues(record)[0]);
        }
    }

    @Test
    void versionOneRecordsAreReadWithoutSchemaResolutionAndEqualTheGeneratedDecoder() {
        Schema v1 = SchemaHistory.earlierVersionsOf(LayerGeometry.getClassSchema()).get(0);
        assertThat(LayerReader.readableDirectly(v1))
                .as("version 2 only appends the optional tags")
                .isTrue();
        for (LayerGeometry record :
                LayerRecords.split(
                        SyntheticDumps.generate(3, 4, 17, 0.05, 5), "v1", 2, "m", null)) {
            byte[] bytes = codec.toAvro(record);
            assertThat(AvroCodec.singleObjectFingerprint(bytes, v1))
                    .as("written as version 1: no tags set")
                    .isEqualTo(SchemaNormalization.parsingFingerprint64(v1));
            LayerValues read = reader.read(bytes);
            assertThat(read)
                    .usingRecursiveComparison()
                    .isEqualTo(LayerArrays.values(codec.decode(bytes)));
            assertThat(read.tags()).isEmpty();
        }
    }

    @Test
    void aRecordOfAnEarlierSchemaVersionGetsTheDefaults() throws IOException {
        Schema v0 =
                new Schema.Parser()
                        .parse(
                                """
                                {"type":"record","name":"LayerGeometry","namespace":"dev.headgeo.avro","fields":[
                                 {"name":"run_id","type":"string"},{"name":"checkpoint","type":"long"},{"name":"layer","type":"int"},
                                 {"name":"num_layers","type":"int"},{"name":"num_heads","type":"int"},
                                 {"name":"metric_singvals_per_head","type":{"type":"array","items":{"type":"array","items":"double"}}},
                                 {"name":"mean_attention_entropy_per_head","type":{"type":"array","items":"double"}},
                                 {"name":"note","type":"string"}]}\
                                """);
        GenericRecord old = new GenericData.Record(v0);
        old.put("run_id", "old");
        old.put("checkpoint", 5L);
        old.put("layer", 1);
        old.put("num_layers", 2);
        old.put("num_heads", 1);
        old.put("metric_singvals_per_head", List.of(List.of(2.0, 1.0)));
        old.put("mean_attention_entropy_per_head", List.of(0.5));
        old.put("note", "a field the current schema dropped");
        byte[] bytes = singleObject(v0, old);

        assertThatThrownBy(() -> reader.read(bytes))
                .isInstanceOf(AvroCodec.MalformedException.class)
                .hasMessageContaining("unknown schema fingerprint");
        assertThat(LayerReader.readableDirectly(v0))
                .as("a field today's schema lacks: resolved by Avro")
                .isFalse();
        LayerValues read = new LayerReader(List.of(v0)).read(bytes);
        assertThat(read.runId()).isEqualTo("old");
        assertThat(read.checkpoint()).isEqualTo(5L);
        assertThat(read.singularValues()).isDeepEqualTo(new double[][] {{2.0, 1.0}});
        assertThat(read.entropy()).containsExactly(0.5);
        assertThat(read.model()).isNull();
        assertThat(read.emittedAt()).isNull();
    }

    @Test
    void strictAndBoundedLikeTheCodec() {
        byte[] good =
                codec.toAvro(
                        LayerRecords.split(Golden.dump("two_layers"), "r", 1, null, null).get(0));
        byte[] trailing = Arrays.copyOf(good, good.length + 3);
        assertThatThrownBy(() -> reader.read(trailing))
                .isInstanceOf(AvroCodec.MalformedException.class)
                .hasMessage("3 bytes after the Avro LayerGeometry record");
        assertThatThrownBy(() -> reader.read(Arrays.copyOf(good, good.length - 5)))
                .isInstanceOf(AvroCodec.MalformedException.class)
                .hasMessageContaining("single-object");
        assertThatThrownBy(() -> reader.read(Arrays.copyOf(good, 6)))
                .hasMessageContaining("header needs 10 bytes");

        // a body whose head array claims a billion items must not allocate them
        byte[] header = Arrays.copyOf(good, AvroCodec.HEADER_LENGTH);
        ByteArrayOutputStream forged = new ByteArrayOutputStream();
        forged.writeBytes(header);
        BinaryEncoder e = EncoderFactory.get().directBinaryEncoder(forged, null);
        try {
            e.writeString("r");
            e.writeLong(1);
            e.writeInt(0);
            e.writeInt(2);
            e.writeInt(1);
            e.writeArrayStart();
            e.setItemCount(1);
            e.startItem();
            e.writeArrayStart();
            e.setItemCount(1_000_000_000L);
            e.flush();
        } catch (IOException ex) {
            throw new AssertionError(ex);
        }
        assertThatThrownBy(() -> reader.read(forged.toByteArray()))
                .isInstanceOf(AvroCodec.MalformedException.class)
                .hasMessageContaining("claims 1000000000 more items");
    }

    private static byte[] singleObject(Schema schema, GenericRecord record) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0xC3);
        out.write(0x01);
        out.writeBytes(
                ByteBuffer.allocate(8)
                        .order(ByteOrder.LITTLE_ENDIAN)
                        .putLong(SchemaNormalization.parsingFingerprint64(schema))
                        .array());
        BinaryEncoder e = EncoderFactory.get().binaryEncoder(out, null);
        new GenericDatumWriter<GenericRecord>(schema).write(record, e);
        e.flush();
        return out.toByteArray();
    }
}
