package dev.headgeo.wire;

import dev.headgeo.avro.LayerGeometry;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.avro.Schema;

/**
 * Reads a layer record written as JSON (what the Python client sends) straight into {@link
 * LayerValues} from its bytes ({@link JsonBytes}): no JSON tree, no tokens, no boxed lists. Through
 * a tree, Avro's generic record and the generated class, a JSON layer of 32 heads x 128 singular
 * values was five passes over 4,096 boxed doubles, and JSON records went through the processor at a
 * sixth of the rate of the same records in Avro (issue #35).
 *
 * <p>The rules are {@link AvroJson#fromJson}'s for {@code LayerGeometry}, with the same messages:
 * every field without a default is required, optional ones may be null or absent, integers may be
 * written as integral floats, {@code emitted_at} also as an ISO-8601 instant, fields the schema
 * does not know are skipped, and nothing may follow the object.
 */
public final class LayerJsonReader {
    private static final Schema SCHEMA = LayerGeometry.getClassSchema();
    private static final Set<String> REQUIRED =
            SCHEMA.getFields().stream()
                    .filter(f -> !f.hasDefaultValue())
                    .map(Schema.Field::name)
                    .collect(Collectors.toUnmodifiableSet());
    private static final Set<String> READ =
            Set.of(
                    "run_id",
                    "checkpoint",
                    "layer",
                    "num_layers",
                    "num_heads",
                    "metric_singvals_per_head",
                    "mean_attention_entropy_per_head",
                    "model",
                    "emitted_at",
                    "tags",
                    "max_attention_logit_per_head",
                    "probe_tokens",
                    "qk_norm");

    static {
        Set<String> fields =
                SCHEMA.getFields().stream().map(Schema.Field::name).collect(Collectors.toSet());
        if (!fields.equals(READ)) {
            throw new IllegalStateException(
                    "LayerJsonReader reads " + READ + " but the layer schema has " + fields);
        }
    }

    private double[] scratch = new double[256];

    /**
     * @throws AvroCodec.MalformedException when the bytes are not one JSON object, or it does not
     *     fit the layer schema (the message names the first field that does not)
     */
    public LayerValues read(byte[] bytes) {
        if (bytes == null || bytes.length == 0) {
            throw new AvroCodec.MalformedException("empty value");
        }
        JsonBytes in = new JsonBytes(bytes);
        try {
            if (in.peek() != '{') {
                if (in.atEnd()) {
                    throw new AvroCodec.MalformedException(
                            "neither Avro single-object encoding nor JSON: no value");
                }
                in.skipValue();
                throw new AvroCodec.MalformedException("JSON value is not an object");
            }
            LayerValues values = readObject(in);
            if (!in.atEnd()) {
                throw new AvroCodec.MalformedException(
                        "neither Avro single-object encoding nor JSON: Trailing token after the"
                                + " JSON object at byte "
                                + in.offset());
            }
            return values;
        } catch (AvroJsonException e) {
            throw new AvroCodec.MalformedException(e.getMessage());
        } catch (JsonBytes.Syntax e) {
            throw new AvroCodec.MalformedException(
                    "neither Avro single-object encoding nor JSON: " + e.getMessage());
        }
    }

    private LayerValues readObject(JsonBytes in) throws JsonBytes.Syntax {
        String runId = null;
        long checkpoint = 0;
        int layer = 0;
        int numLayers = 0;
        int numHeads = 0;
        double[][] singularValues = null;
        double[] entropy = null;
        String model = null;
        Long emittedAt = null;
        Map<String, String> tags = Map.of();
        double[] maxLogit = null;
        Integer probeTokens = null;
        boolean qkNorm = false;
        Set<String> seen = new java.util.HashSet<>();
        in.expect('{');
        boolean end = in.consume('}');
        while (!end) {
            String name = in.string();
            in.expect(':');
            seen.add(name);
            switch (name) {
                case "run_id" -> runId = string(in, name);
                case "checkpoint" -> checkpoint = integral(in, name);
                case "layer" -> layer = integer(in, name);
                case "num_layers" -> numLayers = integer(in, name);
                case "num_heads" -> numHeads = integer(in, name);
                case "metric_singvals_per_head" -> singularValues = heads(in, name);
                case "mean_attention_entropy_per_head" -> entropy = doubles(in, name);
                case "model" -> model = in.consumeNull() ? null : string(in, name);
                case "emitted_at" -> emittedAt = in.consumeNull() ? null : timestamp(in, name);
                case "tags" -> tags = in.consumeNull() ? Map.of() : tags(in, name);
                case "max_attention_logit_per_head" ->
                        maxLogit = in.consumeNull() ? null : doubles(in, name);
                case "probe_tokens" -> probeTokens = in.consumeNull() ? null : integer(in, name);
                case "qk_norm" -> qkNorm = !in.consumeNull() && bool(in, name);
                default -> in.skipValue(); // a field of a later version, or of the producer's own
            }
            end = in.endOrComma('}');
        }
        // in the schema's order, as AvroJson reports the first one missing
        for (Schema.Field f : SCHEMA.getFields()) {
            if (REQUIRED.contains(f.name()) && !seen.contains(f.name())) {
                throw new AvroJsonException("missing field " + f.name());
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

    /** A value of the wrong kind is skipped (its syntax checked) before its field is named. */
    private static AvroJsonException wrong(JsonBytes in, String message) throws JsonBytes.Syntax {
        in.skipValue();
        return new AvroJsonException(message);
    }

    private static String string(JsonBytes in, String where) throws JsonBytes.Syntax {
        if (!in.atString()) {
            throw wrong(in, where + " must be a string");
        }
        return in.string();
    }

    private static boolean bool(JsonBytes in, String where) throws JsonBytes.Syntax {
        Boolean b = in.booleanOrNull();
        if (b == null) {
            throw wrong(in, where + " must be true or false");
        }
        return b;
    }

    private static int integer(JsonBytes in, String where) throws JsonBytes.Syntax {
        long v = integral(in, where);
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw new AvroJsonException(where + " is out of the int range");
        }
        return (int) v;
    }

    /**
     * An integer, also written as a float with an integral value ({@code 1200.0}), as JSON from
     * Python often is.
     */
    private static long integral(JsonBytes in, String where) throws JsonBytes.Syntax {
        if (!in.atNumber()) {
            throw wrong(in, where + " must be an integer");
        }
        Long exact = in.integerOrNull();
        if (exact != null) {
            return exact;
        }
        double d = in.number();
        if (d == Math.rint(d) && Math.abs(d) < 0x1p53) {
            return (long) d;
        }
        throw new AvroJsonException(where + " must be an integer");
    }

    private static long timestamp(JsonBytes in, String where) throws JsonBytes.Syntax {
        if (in.atString()) {
            try {
                return Instant.parse(in.string()).toEpochMilli();
            } catch (DateTimeParseException e) {
                throw new AvroJsonException(
                        where + " must be epoch milliseconds or an ISO-8601 instant");
            }
        }
        return integral(in, where);
    }

    private static Map<String, String> tags(JsonBytes in, String where) throws JsonBytes.Syntax {
        if (in.peek() != '{') {
            throw wrong(in, where + " must be a JSON object");
        }
        in.expect('{');
        Map<String, String> out = new LinkedHashMap<>();
        boolean end = in.consume('}');
        while (!end) {
            String key = in.string();
            in.expect(':');
            out.put(key, string(in, where + "." + key));
            end = in.endOrComma('}');
        }
        return out;
    }

    private double[][] heads(JsonBytes in, String where) throws JsonBytes.Syntax {
        if (in.peek() != '[') {
            throw wrong(in, where + " must be an array");
        }
        in.expect('[');
        double[][] heads = new double[8][];
        int n = 0;
        boolean end = in.consume(']');
        while (!end) {
            if (n == heads.length) {
                heads = Arrays.copyOf(heads, 2 * n);
            }
            heads[n] = doubles(in, where + "[" + n + "]");
            n++;
            end = in.endOrComma(']');
        }
        return Arrays.copyOf(heads, n);
    }

    /**
     * An array of numbers; the scratch buffer grows to the longest array seen, so a head costs one
     * copy.
     */
    private double[] doubles(JsonBytes in, String where) throws JsonBytes.Syntax {
        if (in.peek() != '[') {
            throw wrong(in, where + " must be an array");
        }
        in.expect('[');
        int n = 0;
        boolean end = in.consume(']');
        while (!end) {
            if (!in.atNumber()) {
                throw wrong(in, where + "[" + n + "] must be a number");
            }
            if (n == scratch.length) {
                scratch = Arrays.copyOf(scratch, 2 * n);
            }
            scratch[n++] = in.number();
            end = in.endOrComma(']');
        }
        return Arrays.copyOf(scratch, n);
    }
}
