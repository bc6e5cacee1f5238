package dev.headgeo.wire;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.avro.util.ClassSecurityValidator;

/**
 * Bytes of one generated record type in either wire form: Avro single-object encoding ({@code C3
 * 01}, 8-byte CRC-64-AVRO fingerprint, binary body) or compact JSON. Decoding tells the two apart
 * by the first bytes.
 */
public final class AvroCodec<T extends SpecificRecord> {
    static {
        // Avro 1.12 only instantiates trusted classes; ours are generated from schemas/.
        ClassSecurityValidator.setGlobal(
                ClassSecurityValidator.composite(
                        ClassSecurityValidator.getGlobal(),
                        c -> c.getName().startsWith("dev.headgeo.avro.")));
    }

    static final int HEADER_LENGTH = 10;

    private final Schema schema;
    private final SingleObjectWriter<T> encoder;

    /**
     * Layer records only: the encoders of the earlier versions, oldest first, with their field
     * counts; a record is written in the oldest version that holds every field it sets (fields are
     * appended last), so that a processor of an earlier release still reads it (design §13: writers
     * write v1 records when no v2 field is set, v2 when no v3 field is). Empty for the other
     * records.
     */
    private final List<SingleObjectWriter<T>> earlierEncoders = new ArrayList<>();

    private final List<Integer> earlierFieldCounts = new ArrayList<>();

    /**
     * A reader per writer schema this codec knows (the current one and the earlier versions), by
     * fingerprint.
     */
    private final Map<Long, DatumReader<T>> readers = new HashMap<>();

    /** Writes an earlier version of the schema (null: today's), see {@link Compatibility}. */
    private final OlderVersionWriter<T> olderVersion;

    public AvroCodec(Schema schema) {
        this(schema, null);
    }

    /**
     * A codec that writes {@code writeAs}, an earlier version of {@code schema} (null: {@code
     * schema} itself), and reads them all.
     */
    AvroCodec(Schema schema, Schema writeAs) {
        this.schema = schema;
        SpecificData model = modelFor(schema);
        this.encoder = new SingleObjectWriter<>(schema, model);
        List<Schema> earlier = SchemaHistory.earlierVersionsOf(schema);
        if (schema.getFullName().equals("dev.headgeo.avro.LayerGeometry")) {
            for (Schema version : earlier) {
                earlierEncoders.add(new SingleObjectWriter<>(version, model));
                earlierFieldCounts.add(version.getFields().size());
            }
        }
        this.olderVersion =
                writeAs == null || writeAs.equals(schema)
                        ? null
                        : new OlderVersionWriter<>(schema, writeAs, model);
        List<Schema> writers = new ArrayList<>(earlier);
        writers.add(schema);
        for (Schema writer : writers) {
            @SuppressWarnings("unchecked")
            DatumReader<T> reader = (DatumReader<T>) model.createDatumReader(writer, schema);
            readers.put(SchemaNormalization.parsingFingerprint64(writer), reader);
        }
    }

    static SpecificData modelFor(Schema schema) {
        return SpecificData.getForSchema(schema);
    }

    public Schema schema() {
        return schema;
    }

    /** Avro single-object encoding. */
    public byte[] toAvro(T record) {
        try {
            if (olderVersion != null) {
                return olderVersion.encode(record);
            }
            for (int v = 0; v < earlierEncoders.size(); v++) {
                if (onlyFieldsBefore(record, earlierFieldCounts.get(v))) {
                    return earlierEncoders.get(v).encode(record);
                }
            }
            return encoder.encode(record);
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode " + schema.getName(), e);
        }
    }

    /**
     * Single-object encoding (what Avro's BinaryMessageEncoder writes) through {@link
     * QuickDatumWriter}.
     */
    private static final class SingleObjectWriter<T> {
        private final byte[] header = new byte[HEADER_LENGTH];
        private final QuickDatumWriter<T> writer;

        SingleObjectWriter(Schema schema, SpecificData model) {
            ByteBuffer.wrap(header)
                    .order(ByteOrder.LITTLE_ENDIAN)
                    .put((byte) 0xC3)
                    .put((byte) 0x01)
                    .putLong(SchemaNormalization.parsingFingerprint64(schema));
            this.writer = new QuickDatumWriter<>(schema, model);
        }

        byte[] encode(T record) throws IOException {
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(1024);
            out.write(header);
            org.apache.avro.io.BinaryEncoder binary =
                    org.apache.avro.io.EncoderFactory.get().binaryEncoder(out, null);
            writer.write(record, binary);
            binary.flush();
            return out.toByteArray();
        }
    }

    private boolean onlyFieldsBefore(T record, int fieldCount) {
        for (int i = fieldCount; i < schema.getFields().size(); i++) {
            if (record.get(i) != null) {
                return false;
            }
        }
        return true;
    }

    /** Compact one-line JSON (see {@link AvroJson}). */
    public byte[] toJson(T record) {
        return AvroJson.toJsonLine(record).getBytes(StandardCharsets.UTF_8);
    }

    /** True when {@code bytes} start with the Avro single-object marker {@code C3 01}. */
    public static boolean isAvroSingleObject(byte[] bytes) {
        return bytes.length >= 2 && bytes[0] == (byte) 0xC3 && bytes[1] == (byte) 0x01;
    }

    /**
     * Decodes either wire form.
     *
     * @throws MalformedException when the bytes are neither a record of this schema in
     *     single-object encoding nor a JSON object with its fields
     */
    public T decode(byte[] bytes) {
        if (bytes == null || bytes.length == 0) {
            throw new MalformedException("empty value");
        }
        if (isAvroSingleObject(bytes)) {
            return decodeSingleObject(bytes);
        }
        JsonNode json;
        try {
            json = Json.MAPPER.readTree(bytes);
        } catch (IOException e) {
            throw new MalformedException(
                    "neither Avro single-object encoding nor JSON: " + firstLine(e.getMessage()));
        }
        if (json == null || !json.isObject()) {
            throw new MalformedException("JSON value is not an object");
        }
        try {
            return AvroJson.fromJson(json, schema);
        } catch (AvroJsonException e) {
            throw new MalformedException(e.getMessage());
        }
    }

    /**
     * Single-object encoding: {@code C3 01}, the writer schema's 8-byte fingerprint
     * (little-endian), the binary body, and nothing after it. Decoded from the array directly
     * (Avro's message decoder reads an InputStream double by double, which cost a third of the
     * processor's time).
     */
    private T decodeSingleObject(byte[] bytes) {
        long fingerprint = singleObjectFingerprint(bytes, schema);
        DatumReader<T> reader = readers.get(fingerprint);
        if (reader == null) {
            throw unknownFingerprint(schema, fingerprint);
        }
        BinaryDecoder decoder =
                DecoderFactory.get()
                        .binaryDecoder(bytes, HEADER_LENGTH, bytes.length - HEADER_LENGTH, null);
        T record;
        try {
            record = reader.read(null, decoder);
        } catch (IOException | RuntimeException e) {
            throw new MalformedException(
                    "not a "
                            + schema.getName()
                            + " in Avro single-object encoding: "
                            + e.getMessage());
        }
        requireEnd(decoder, schema);
        return record;
    }

    /**
     * The writer schema's fingerprint from a single-object header (little-endian, after {@code C3
     * 01}).
     */
    static long singleObjectFingerprint(byte[] bytes, Schema schema) {
        if (bytes.length < HEADER_LENGTH) {
            throw new MalformedException(
                    "an Avro single-object header needs "
                            + HEADER_LENGTH
                            + " bytes, got "
                            + bytes.length);
        }
        return ByteBuffer.wrap(bytes, 2, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    static MalformedException unknownFingerprint(Schema schema, long fingerprint) {
        return new UnknownVersionException(
                "not a "
                        + schema.getName()
                        + " in Avro single-object encoding: unknown schema fingerprint "
                        + Long.toHexString(fingerprint));
    }

    /** Strict decoding: nothing may follow the record. */
    static void requireEnd(BinaryDecoder decoder, Schema schema) {
        int left;
        try {
            left = decoder.isEnd() ? 0 : decoder.inputStream().available();
        } catch (IOException e) {
            throw new MalformedException(
                    "not a "
                            + schema.getName()
                            + " in Avro single-object encoding: "
                            + e.getMessage());
        }
        if (left > 0) {
            throw new MalformedException(
                    left + " bytes after the Avro " + schema.getName() + " record");
        }
    }

    static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    /** The bytes cannot be read as this record type. */
    public static class MalformedException extends RuntimeException {
        public MalformedException(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * Single-object encoding of a schema version this release does not know: in a state store,
     * written by a newer release (stopping beats dead-lettering every record that meets it); in a
     * topic, a newer producer's.
     */
    public static final class UnknownVersionException extends MalformedException {
        public UnknownVersionException(String message) {
            super(message);
        }
    }
}
