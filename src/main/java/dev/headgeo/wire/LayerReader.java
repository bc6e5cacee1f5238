package dev.headgeo.wire;

import dev.headgeo.avro.LayerGeometry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.Decoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.ResolvingDecoder;

/**
 * Reads a {@code LayerGeometry} in Avro single-object encoding straight into {@link LayerValues}:
 * doubles into {@code double[]} through Avro's own {@link Decoder}, without the boxed {@code
 * List<Double>} of the generated class (building and unboxing those lists was most of the
 * processor's decoding time and garbage). The current version and earlier versions whose fields are
 * today's (version 1: all but the optional tags) are read by the plain binary decoder; any other
 * earlier version goes through Avro's {@link ResolvingDecoder} (defaults filled in, unknown fields
 * skipped).
 *
 * <p>Same rules as {@link AvroCodec#decode}: header, known fingerprint, nothing after the record.
 * Counts an array claims are checked against the bytes left, so a forged count cannot make it
 * allocate more than the record could hold.
 */
public final class LayerReader {
    private static final Schema SCHEMA = LayerGeometry.getClassSchema();
    private static final long CURRENT = SchemaNormalization.parsingFingerprint64(SCHEMA);
    private static final Schema.Field[] CURRENT_FIELDS =
            SCHEMA.getFields().toArray(Schema.Field[]::new);

    /** Writer schemas other than the current one, by fingerprint. */
    private final Map<Long, Schema> earlier = new HashMap<>();

    /**
     * Earlier writers read without resolution, by fingerprint: their fields in their order, each
     * with the same schema as today's field of that name. Going through a {@link ResolvingDecoder}
     * costs a grammar step per value (a layer of 32 heads x 128 singular values is 4,096 steps) and
     * made version-1 records, which every producer writes when it sets no tags, the stream thread's
     * largest cost (issue #28).
     */
    private final Map<Long, Schema.Field[]> directly = new HashMap<>();

    private final Map<Long, ResolvingDecoder> resolvers = new HashMap<>();
    private BinaryDecoder reuse;
    private byte[] scratch = new byte[0];

    public LayerReader() {
        this(SchemaHistory.earlierVersionsOf(SCHEMA));
    }

    /** Reading also records written with {@code earlierVersions} of the schema. */
    LayerReader(List<Schema> earlierVersions) {
        for (Schema s : earlierVersions) {
            long fingerprint = SchemaNormalization.parsingFingerprint64(s);
            earlier.put(fingerprint, s);
            if (readableDirectly(s)) {
                directly.put(fingerprint, s.getFields().toArray(Schema.Field[]::new));
            }
        }
    }

    /**
     * True when every field of {@code writer} has today's schema under the same name and every
     * field it lacks is optional with a null default, which {@link #readFields} starts from: its
     * bytes are then today's decoding of its fields, in its order.
     */
    static boolean readableDirectly(Schema writer) {
        for (Schema.Field f : writer.getFields()) {
            Schema.Field today = SCHEMA.getField(f.name());
            // the same binary encoding: equal parsing canonical forms (docs and properties aside)
            if (today == null
                    || !SchemaNormalization.toParsingForm(today.schema())
                            .equals(SchemaNormalization.toParsingForm(f.schema()))) {
                return false;
            }
        }
        for (Schema.Field today : SCHEMA.getFields()) {
            if (writer.getField(today.name()) == null && !optionalWithNullDefault(today)) {
                return false;
            }
        }
        return true;
    }

    private static boolean optionalWithNullDefault(Schema.Field field) {
        Schema s = field.schema();
        return field.hasDefaultValue()
                && s.getType() == Schema.Type.UNION
                && s.getTypes().get(0).getType() == Schema.Type.NULL;
    }

    /**
     * @throws AvroCodec.MalformedException when the bytes are not a LayerGeometry in single-object
     *     encoding
     */
    public LayerValues read(byte[] bytes) {
        long fingerprint = AvroCodec.singleObjectFingerprint(bytes, SCHEMA);
        Schema writer = fingerprint == CURRENT ? SCHEMA : earlier.get(fingerprint);
        if (writer == null) {
            throw AvroCodec.unknownFingerprint(SCHEMA, fingerprint);
        }
        int bodyLength = bytes.length - AvroCodec.HEADER_LENGTH;
        reuse =
                DecoderFactory.get()
                        .binaryDecoder(bytes, AvroCodec.HEADER_LENGTH, bodyLength, reuse);
        LayerValues values;
        try {
            Schema.Field[] fields = writer == SCHEMA ? CURRENT_FIELDS : directly.get(fingerprint);
            if (fields != null) {
                values = readFields(reuse, fields, bodyLength);
            } else {
                ResolvingDecoder in = resolvers.computeIfAbsent(fingerprint, f -> resolver(writer));
                in.configure(reuse);
                values = readFields(in, in.readFieldOrder(), bodyLength);
                in.drain();
            }
        } catch (IOException | RuntimeException e) {
            throw new AvroCodec.MalformedException(
                    "not a "
                            + SCHEMA.getName()
                            + " in Avro single-object encoding: "
                            + e.getMessage());
        }
        AvroCodec.requireEnd(reuse, SCHEMA);
        return values;
    }

    private static ResolvingDecoder resolver(Schema writer) {
        try {
            return DecoderFactory.get().resolvingDecoder(writer, SCHEMA, null);
        } catch (IOException e) {
            throw new IllegalStateException(
                    "cannot resolve " + SCHEMA.getName() + " against an earlier version", e);
        }
    }

    private LayerValues readFields(Decoder in, Schema.Field[] order, int bodyLength)
            throws IOException {
        String runId = null;
        long checkpoint = 0;
        int layer = 0;
        int numLayers = 0;
        int numHeads = 0;
        double[][] singularValues = null;
        double[] entropy = null;
        String model = null;
        Long emittedAt = null;
        java.util.Map<String, String> tags = java.util.Map.of();
        double[] maxLogit = null;
        Integer probeTokens = null;
        boolean qkNorm = false;
        for (Schema.Field f : order) {
            switch (f.name()) {
                case "run_id" -> runId = in.readString();
                case "checkpoint" -> checkpoint = in.readLong();
                case "layer" -> layer = in.readInt();
                case "num_layers" -> numLayers = in.readInt();
                case "num_heads" -> numHeads = in.readInt();
                case "metric_singvals_per_head" -> singularValues = readHeads(in, bodyLength);
                case "mean_attention_entropy_per_head" -> entropy = readDoubles(in, bodyLength);
                case "model" -> model = in.readIndex() == 0 ? readNull(in) : in.readString();
                case "emitted_at" ->
                        emittedAt =
                                in.readIndex() == 0 ? readNull(in) : Long.valueOf(in.readLong());
                case "tags" ->
                        tags = in.readIndex() == 0 ? readNoTags(in) : readTags(in, bodyLength);
                case "max_attention_logit_per_head" ->
                        maxLogit = in.readIndex() == 0 ? readNull(in) : readDoubles(in, bodyLength);
                case "probe_tokens" ->
                        probeTokens =
                                in.readIndex() == 0 ? readNull(in) : Integer.valueOf(in.readInt());
                case "qk_norm" -> qkNorm = readOptionalTrue(in);
                default ->
                        throw new IllegalStateException(
                                "LayerReader does not know field " + f.name());
            }
        }
        return new LayerValues(
                runId,
                checkpoint,
                layer,
                numLayers,
                numHeads,
                singularValues,
                entropy,
                model,
                emittedAt,
                tags,
                maxLogit,
                probeTokens,
                qkNorm);
    }

    private static java.util.Map<String, String> readNoTags(Decoder in) throws IOException {
        in.readNull();
        return java.util.Map.of();
    }

    /**
     * A map of strings, in the order written; entries are bounded by the record's length (each
     * takes at least two bytes).
     */
    private static java.util.Map<String, String> readTags(Decoder in, int bodyLength)
            throws IOException {
        java.util.Map<String, String> tags = new java.util.LinkedHashMap<>();
        for (long n = in.readMapStart(); n != 0; n = in.mapNext()) {
            if (n < 0 || n > bodyLength) {
                throw new IOException(
                        "a map of " + n + " entries in a record of " + bodyLength + " bytes");
            }
            for (long i = 0; i < n; i++) {
                String key = in.readString();
                tags.put(key, in.readString());
            }
        }
        return tags;
    }

    /** An optional boolean: true only when present and true. */
    private static boolean readOptionalTrue(Decoder in) throws IOException {
        if (in.readIndex() == 0) {
            in.readNull();
            return false;
        }
        return in.readBoolean();
    }

    private static <T> T readNull(Decoder in) throws IOException {
        in.readNull();
        return null;
    }

    private double[][] readHeads(Decoder in, int bodyLength) throws IOException {
        List<double[]> heads = new ArrayList<>();
        for (long n = in.readArrayStart(); n != 0; n = in.arrayNext()) {
            // every head takes at least one byte (its count)
            checkCount(n, heads.size(), 1, bodyLength);
            for (long i = 0; i < n; i++) {
                heads.add(readDoubles(in, bodyLength));
            }
        }
        return heads.toArray(double[][]::new);
    }

    /**
     * An array of doubles. From the plain binary decoder a block is taken as one run of bytes: Avro
     * writes a block of n doubles as n × 8 little-endian IEEE 754 bytes, so they are copied out in
     * bulk instead of assembled one by one (4× faster); a resolving decoder is read value by value.
     */
    private double[] readDoubles(Decoder in, int bodyLength) throws IOException {
        double[] out = new double[0];
        int size = 0;
        for (long n = in.readArrayStart(); n != 0; n = in.arrayNext()) {
            checkCount(n, size, Double.BYTES, bodyLength);
            int count = (int) n;
            out = Arrays.copyOf(out, size + count);
            if (in instanceof BinaryDecoder binary) {
                int bytes = count * Double.BYTES;
                if (scratch.length < bytes) {
                    scratch = new byte[bytes];
                }
                binary.readFixed(scratch, 0, bytes);
                ByteBuffer.wrap(scratch, 0, bytes)
                        .order(ByteOrder.LITTLE_ENDIAN)
                        .asDoubleBuffer()
                        .get(out, size, count);
                size += count;
            } else {
                for (int end = size + count; size < end; size++) {
                    out[size] = in.readDouble();
                }
            }
        }
        return out;
    }

    private static void checkCount(long blockCount, int sofar, int bytesEach, int bodyLength) {
        if (blockCount < 0 || sofar + blockCount > bodyLength / bytesEach) {
            throw new AvroCodec.MalformedException(
                    "an array claims "
                            + blockCount
                            + " more items than the record's "
                            + bodyLength
                            + " bytes can hold");
        }
    }
}
