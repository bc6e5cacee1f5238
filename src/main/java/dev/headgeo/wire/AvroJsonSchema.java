package dev.headgeo.wire;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import org.apache.avro.Schema;

/**
 * The JSON Schema (2020-12) of {@link AvroJson}'s form of an Avro record, written beside it so the
 * two rules cannot drift: named records become definitions, every field is required and nothing
 * else is allowed, a {@code ["null", X]} union is X or null, an enum its symbols, a timestamp an
 * integer, and a double a number or null (non-finite values are written as null).
 */
public final class AvroJsonSchema {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private AvroJsonSchema() {}

    /**
     * A reference to {@code record}'s schema, adding it and the records it names to {@code
     * definitions} (keyed by simple name) under {@code refPrefix}, e.g. {@code
     * #/components/schemas/}.
     */
    public static ObjectNode reference(
            Schema record, Map<String, ObjectNode> definitions, String refPrefix) {
        return of(record, definitions, refPrefix);
    }

    private static ObjectNode of(Schema schema, Map<String, ObjectNode> defs, String refPrefix) {
        switch (schema.getType()) {
            case UNION:
                {
                    Schema branch = null;
                    boolean nullable = false;
                    for (Schema b : schema.getTypes()) {
                        if (b.getType() == Schema.Type.NULL) {
                            nullable = true;
                        } else if (branch != null) {
                            throw new IllegalArgumentException(
                                    "no JSON form for a union of two non-null types: " + schema);
                        } else {
                            branch = b;
                        }
                    }
                    ObjectNode inner = of(branch, defs, refPrefix);
                    return nullable ? JsonSchemas.nullable(inner) : inner;
                }
            case RECORD:
                {
                    String name = schema.getName();
                    ObjectNode ref = NODES.objectNode().put("$ref", refPrefix + name);
                    if (defs.containsKey(name)) {
                        // headgeo's records share one namespace, where Avro allows one definition
                        // per name
                        return ref;
                    }
                    ObjectNode o = JsonSchemas.closedObject(name);
                    defs.put(name, o);
                    if (schema.getDoc() != null) {
                        o.put("description", schema.getDoc());
                    }
                    for (Schema.Field f : schema.getFields()) {
                        ObjectNode p = of(f.schema(), defs, refPrefix).deepCopy();
                        if (f.doc() != null && !p.has("$ref")) {
                            p.put("description", f.doc());
                        }
                        JsonSchemas.property(o, f.name(), p, true);
                    }
                    return ref;
                }
            case ARRAY:
                {
                    ObjectNode a = NODES.objectNode().put("type", "array");
                    a.set("items", of(schema.getElementType(), defs, refPrefix));
                    return a;
                }
            case MAP:
                {
                    ObjectNode m = NODES.objectNode().put("type", "object");
                    m.set("additionalProperties", of(schema.getValueType(), defs, refPrefix));
                    return m;
                }
            case ENUM:
                {
                    ObjectNode e = NODES.objectNode().put("type", "string");
                    ArrayNode symbols = e.putArray("enum");
                    schema.getEnumSymbols().forEach(symbols::add);
                    return e;
                }
            case STRING:
                return NODES.objectNode().put("type", "string");
            case BYTES:
                return NODES.objectNode().put("type", "string").put("contentEncoding", "base64");
            case INT:
                return NODES.objectNode().put("type", "integer").put("format", "int32");
            case LONG:
                return NODES.objectNode().put("type", "integer").put("format", "int64");
            case DOUBLE:
            case FLOAT:
                return JsonSchemas.nullable(
                        NODES.objectNode().put("type", "number").put("format", "double"));
            case BOOLEAN:
                return NODES.objectNode().put("type", "boolean");
            default:
                throw new IllegalArgumentException(
                        "no JSON form for Avro type " + schema.getType());
        }
    }
}
