package dev.headgeo.wire;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.avro.Schema;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.avro.util.ClassSecurityValidator;

/**
 * Bytes of one generated record type in either wire form: Avro single-object encoding
 * ({@code C3 01}, 8-byte CRC-64-AVRO fingerprint, binary body) or compact JSON. Decoding tells the
 * two apart by the first bytes.
 */
public final class AvroCodec<T extends SpecificRecord> {
    static {
        // Avro 1.12 only instantiates trusted classes; ours are generated from schemas/.
        ClassSecurityValidator.setGlobal(ClassSecurityValidator.composite(
                ClassSecurityValidator.getGlobal(),
                c -> c.getName().startsWith("dev.headgeo.avro.")));
    }

    private final Schema schema;
    private final BinaryMessageEncoder<T> encoder;
    private final BinaryMessageDecoder<T> decoder;

    public AvroCodec(Schema schema) {
        this.schema = schema;
        SpecificData model = modelFor(schema);
        this.encoder = new BinaryMessageEncoder<>(model, schema);
        this.decoder = new BinaryMessageDecoder<>(model, schema);
        SchemaHistory.earlierVersionsOf(schema).forEach(decoder::addSchema);
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
            ByteBuffer b = encoder.encode(record);
            byte[] out = new byte[b.remaining()];
            b.get(out);
            return out;
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode " + schema.getName(), e);
        }
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
     * @throws MalformedException when the bytes are neither a record of this schema in single-object
     *     encoding nor a JSON object with its fields
     */
    public T decode(byte[] bytes) {
        if (bytes == null || bytes.length == 0) {
            throw new MalformedException("empty value");
        }
        if (isAvroSingleObject(bytes)) {
            ByteArrayInputStream in = new ByteArrayInputStream(bytes);
            T record;
            try {
                record = decoder.decode(in);
            } catch (IOException | RuntimeException e) {
                throw new MalformedException("not a " + schema.getName() + " in Avro single-object encoding: " + e.getMessage());
            }
            if (in.available() > 0) {
                throw new MalformedException(in.available() + " bytes after the Avro " + schema.getName() + " record");
            }
            return record;
        }
        JsonNode json;
        try {
            json = Json.MAPPER.readTree(bytes);
        } catch (IOException e) {
            throw new MalformedException("neither Avro single-object encoding nor JSON: " + firstLine(e.getMessage()));
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

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    /** The bytes cannot be read as this record type. */
    public static final class MalformedException extends RuntimeException {
        public MalformedException(String message) {
            super(message, null, false, false);
        }
    }
}
