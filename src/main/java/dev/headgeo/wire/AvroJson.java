package dev.headgeo.wire;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;

/**
 * The plain JSON form of headgeo's Avro records: field names as in the schema, optional values as
 * the value or null (no Avro union wrappers), enums as their symbol, timestamps as epoch millis,
 * nan as null. Reading accepts the same form, and a timestamp also as an ISO-8601 string.
 */
public final class AvroJson {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private AvroJson() {}

    /** The record as a JSON object. */
    public static ObjectNode toJson(IndexedRecord record) {
        return (ObjectNode) value(record.getSchema(), record);
    }

    /** The record as one compact line of JSON. */
    public static String toJsonLine(IndexedRecord record) {
        return toJson(record).toString();
    }

    private static JsonNode value(Schema schema, Object v) {
        if (v == null) {
            return NODES.nullNode();
        }
        switch (schema.getType()) {
            case UNION:
                return value(nonNullBranch(schema), v);
            case RECORD:
                {
                    IndexedRecord r = (IndexedRecord) v;
                    ObjectNode o = NODES.objectNode();
                    for (Schema.Field f : schema.getFields()) {
                        o.set(f.name(), value(f.schema(), r.get(f.pos())));
                    }
                    return o;
                }
            case ARRAY:
                {
                    ArrayNode a = NODES.arrayNode();
                    for (Object item : (Collection<?>) v) {
                        a.add(value(schema.getElementType(), item));
                    }
                    return a;
                }
            case MAP:
                {
                    ObjectNode o = NODES.objectNode();
                    ((java.util.Map<?, ?>) v)
                            .forEach(
                                    (key, item) ->
                                            o.set(
                                                    key.toString(),
                                                    value(schema.getValueType(), item)));
                    return o;
                }
            case ENUM:
            case STRING:
                return NODES.textNode(v.toString());
            case INT:
                return NODES.numberNode(((Number) v).intValue());
            case LONG:
                return NODES.numberNode(
                        v instanceof Instant i ? i.toEpochMilli() : ((Number) v).longValue());
            case DOUBLE:
            case FLOAT:
                {
                    double d = ((Number) v).doubleValue();
                    return Double.isFinite(d) ? NODES.numberNode(d) : NODES.nullNode();
                }
            case BOOLEAN:
                return NODES.booleanNode((Boolean) v);
            case BYTES:
                {
                    java.nio.ByteBuffer b = ((java.nio.ByteBuffer) v).duplicate();
                    byte[] bytes = new byte[b.remaining()];
                    b.get(bytes);
                    return NODES.textNode(Base64.getEncoder().encodeToString(bytes));
                }
            default:
                throw new IllegalArgumentException(
                        "no JSON form for Avro type " + schema.getType());
        }
    }

    /**
     * Reads {@code json} as a record of {@code schema}'s generated class.
     *
     * @throws AvroJsonException naming the first field that is missing or of the wrong type
     */
    public static <T extends SpecificRecord> T fromJson(JsonNode json, Schema schema) {
        return decode(read(schema, json, "", false), schema);
    }

    /**
     * Reads back what {@link #toJson} wrote: there a non-finite double became null, so here a null
     * where a double belongs is NaN (an HTTP answer passed between instances, not a record from a
     * producer).
     */
    public static <T extends SpecificRecord> T fromOwnJson(JsonNode json, Schema schema) {
        return decode(read(schema, json, "", true), schema);
    }

    private static <T extends SpecificRecord> T decode(Object generic, Schema schema) {
        // Through Avro binary so the generated class's own logical-type conversions apply.
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(bytes, null);
            new GenericDatumWriter<>(schema, GenericData.get()).write(generic, encoder);
            encoder.flush();
            SpecificData model = AvroCodec.modelFor(schema);
            SpecificDatumReader<T> reader = new SpecificDatumReader<>(schema, schema, model);
            return reader.read(null, DecoderFactory.get().binaryDecoder(bytes.toByteArray(), null));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Object read(Schema schema, JsonNode node, String path, boolean nanFromNull) {
        String where = path.isEmpty() ? "value" : path;
        switch (schema.getType()) {
            case UNION:
                {
                    if (node == null || node.isNull()) {
                        if (schema.getTypes().get(0).getType() == Schema.Type.NULL) {
                            return null;
                        }
                        throw new AvroJsonException(where + " must not be null");
                    }
                    return read(nonNullBranch(schema), node, path, nanFromNull);
                }
            case RECORD:
                {
                    if (node == null || !node.isObject()) {
                        throw new AvroJsonException(where + " must be a JSON object");
                    }
                    GenericData.Record r = new GenericData.Record(schema);
                    for (Schema.Field f : schema.getFields()) {
                        String child = path.isEmpty() ? f.name() : path + "." + f.name();
                        JsonNode fieldNode = node.get(f.name());
                        if (fieldNode == null && f.hasDefaultValue()) {
                            r.put(
                                    f.pos(),
                                    GenericData.get()
                                            .deepCopy(
                                                    f.schema(),
                                                    GenericData.get().getDefaultValue(f)));
                        } else if (fieldNode == null) {
                            throw new AvroJsonException("missing field " + child);
                        } else {
                            r.put(f.pos(), read(f.schema(), fieldNode, child, nanFromNull));
                        }
                    }
                    return r;
                }
            case ARRAY:
                {
                    if (!node.isArray()) {
                        throw new AvroJsonException(where + " must be an array");
                    }
                    List<Object> items = new ArrayList<>(node.size());
                    for (int i = 0; i < node.size(); i++) {
                        items.add(
                                read(
                                        schema.getElementType(),
                                        node.get(i),
                                        path + "[" + i + "]",
                                        nanFromNull));
                    }
                    return new GenericData.Array<>(schema, items);
                }
            case MAP:
                {
                    if (!node.isObject()) {
                        throw new AvroJsonException(where + " must be a JSON object");
                    }
                    java.util.Map<String, Object> entries = new java.util.LinkedHashMap<>();
                    node.fields()
                            .forEachRemaining(
                                    e ->
                                            entries.put(
                                                    e.getKey(),
                                                    read(
                                                            schema.getValueType(),
                                                            e.getValue(),
                                                            path + "." + e.getKey(),
                                                            nanFromNull)));
                    return entries;
                }
            case ENUM:
                {
                    if (!node.isTextual() || !schema.hasEnumSymbol(node.asText())) {
                        throw new AvroJsonException(
                                where + " must be one of " + schema.getEnumSymbols());
                    }
                    return new GenericData.EnumSymbol(schema, node.asText());
                }
            case STRING:
                if (!node.isTextual()) {
                    throw new AvroJsonException(where + " must be a string");
                }
                return node.asText();
            case INT:
                {
                    long v = integral(node, where);
                    if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
                        throw new AvroJsonException(where + " is out of the int range");
                    }
                    return (int) v;
                }
            case LONG:
                return readLong(schema, node, where);
            case DOUBLE:
                if (nanFromNull && (node == null || node.isNull())) {
                    return Double.NaN;
                }
                if (!node.isNumber()) {
                    throw new AvroJsonException(where + " must be a number");
                }
                return node.doubleValue();
            case BOOLEAN:
                if (!node.isBoolean()) {
                    throw new AvroJsonException(where + " must be true or false");
                }
                return node.booleanValue();
            default:
                throw new AvroJsonException(
                        where + ": Avro type " + schema.getType() + " has no JSON form here");
        }
    }

    private static long readLong(Schema schema, JsonNode node, String where) {
        boolean timestamp =
                schema.getLogicalType() != null
                        && "timestamp-millis".equals(schema.getLogicalType().getName());
        if (timestamp && node.isTextual()) {
            try {
                return Instant.parse(node.asText()).toEpochMilli();
            } catch (DateTimeParseException e) {
                throw new AvroJsonException(
                        where + " must be epoch milliseconds or an ISO-8601 instant");
            }
        }
        return integral(node, where);
    }

    /**
     * An integer, also written as a float with an integral value ({@code 1200.0}), as JSON from
     * Python often is.
     */
    private static long integral(JsonNode node, String where) {
        if (node.isIntegralNumber() && node.canConvertToLong()) {
            return node.longValue();
        }
        if (node.isFloatingPointNumber()) {
            double d = node.doubleValue();
            if (d == Math.rint(d) && Math.abs(d) < 0x1p53) {
                return (long) d;
            }
        }
        throw new AvroJsonException(where + " must be an integer");
    }

    private static Schema nonNullBranch(Schema union) {
        for (Schema branch : union.getTypes()) {
            if (branch.getType() != Schema.Type.NULL) {
                return branch;
            }
        }
        throw new IllegalArgumentException("union without a non-null branch: " + union);
    }
}
