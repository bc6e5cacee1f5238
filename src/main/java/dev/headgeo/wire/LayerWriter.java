package dev.headgeo.wire;

import dev.headgeo.avro.LayerGeometry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;

/**
 * Writes {@link LayerValues} as a {@code LayerGeometry} in Avro single-object encoding from the
 * primitive arrays, without the generated class's boxed lists: what a JSON layer record is stored
 * as once {@link LayerJsonReader} has read it. Like {@link AvroCodec#toAvro}, in the oldest version
 * that holds every field the record sets (fields are only ever appended: a version is today's first
 * fields), so that a processor of an earlier release reads the store.
 */
public final class LayerWriter {
    private static final Schema SCHEMA = LayerGeometry.getClassSchema();

    /** Single-object headers by field count: the earlier versions' and today's. */
    private static final Map<Integer, byte[]> HEADERS = headers();

    private final ByteArrayOutputStream out = new ByteArrayOutputStream(64 * 1024);
    private BinaryEncoder encoder;

    private static Map<Integer, byte[]> headers() {
        List<Schema> versions = new ArrayList<>(SchemaHistory.earlierVersionsOf(SCHEMA));
        versions.add(SCHEMA);
        Map<Integer, byte[]> out = new java.util.HashMap<>();
        for (Schema v : versions) {
            byte[] header = new byte[AvroCodec.HEADER_LENGTH];
            ByteBuffer.wrap(header)
                    .order(ByteOrder.LITTLE_ENDIAN)
                    .put((byte) 0xC3)
                    .put((byte) 0x01)
                    .putLong(SchemaNormalization.parsingFingerprint64(v));
            out.put(v.getFields().size(), header);
        }
        return Map.copyOf(out);
    }

    /** How many of today's fields the oldest version holding {@code v}'s set fields has. */
    static int fieldCount(LayerValues v) {
        if (v.maxLogit() != null || v.probeTokens() != null || v.qkNorm()) {
            return SCHEMA.getFields().size();
        }
        return v.tags().isEmpty()
                ? SCHEMA.getField("tags").pos()
                : SCHEMA.getField("tags").pos() + 1;
    }

    public byte[] toAvro(LayerValues v) {
        int fields = fieldCount(v);
        byte[] header = HEADERS.get(fields);
        if (header == null) {
            throw new IllegalStateException("no LayerGeometry version with " + fields + " fields");
        }
        out.reset();
        try {
            out.write(header);
            encoder = EncoderFactory.get().binaryEncoder(out, encoder);
            write(v, fields, encoder);
            encoder.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** The fields in the schema's order, the first {@code fields} of them. */
    private static void write(LayerValues v, int fields, BinaryEncoder e) throws IOException {
        e.writeString(v.runId());
        e.writeLong(v.checkpoint());
        e.writeInt(v.layer());
        e.writeInt(v.numLayers());
        e.writeInt(v.numHeads());
        e.writeArrayStart();
        e.setItemCount(v.singularValues().length);
        for (double[] head : v.singularValues()) {
            e.startItem();
            doubles(head, e);
        }
        e.writeArrayEnd();
        doubles(v.entropy(), e);
        optionalString(v.model(), e);
        if (v.emittedAt() == null) {
            e.writeIndex(0);
        } else {
            e.writeIndex(1);
            e.writeLong(v.emittedAt());
        }
        if (fields <= SCHEMA.getField("tags").pos()) {
            return;
        }
        if (v.tags().isEmpty()) {
            e.writeIndex(0);
        } else {
            e.writeIndex(1);
            e.writeMapStart();
            e.setItemCount(v.tags().size());
            for (Map.Entry<String, String> t : v.tags().entrySet()) {
                e.startItem();
                e.writeString(t.getKey());
                e.writeString(t.getValue());
            }
            e.writeMapEnd();
        }
        if (fields <= SCHEMA.getField("max_attention_logit_per_head").pos()) {
            return;
        }
        if (v.maxLogit() == null) {
            e.writeIndex(0);
        } else {
            e.writeIndex(1);
            doubles(v.maxLogit(), e);
        }
        if (v.probeTokens() == null) {
            e.writeIndex(0);
        } else {
            e.writeIndex(1);
            e.writeInt(v.probeTokens());
        }
        e.writeIndex(1);
        e.writeBoolean(v.qkNorm());
    }

    private static void optionalString(String s, BinaryEncoder e) throws IOException {
        if (s == null) {
            e.writeIndex(0);
        } else {
            e.writeIndex(1);
            e.writeString(s);
        }
    }

    private static void doubles(double[] values, BinaryEncoder e) throws IOException {
        e.writeArrayStart();
        e.setItemCount(values.length);
        for (double d : values) {
            e.startItem();
            e.writeDouble(d);
        }
        e.writeArrayEnd();
    }
}
