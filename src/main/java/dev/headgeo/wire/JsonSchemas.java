package dev.headgeo.wire;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Small JSON Schema (2020-12) building blocks shared by the Avro and the Java-record schemas. */
public final class JsonSchemas {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private JsonSchemas() {}

    /** {@code schema} or null: a type list gains "null", a reference becomes an anyOf with null. */
    public static ObjectNode nullable(ObjectNode schema) {
        JsonNode type = schema.get("type");
        if (type != null && type.isTextual() && !schema.has("enum")) {
            ObjectNode out = schema.deepCopy();
            out.putArray("type").add(type.asText()).add("null");
            return out;
        }
        ObjectNode out = NODES.objectNode();
        ArrayNode any = out.putArray("anyOf");
        any.add(schema);
        any.addObject().put("type", "null");
        return out;
    }

    /** An object schema that allows no property but those added with {@link #property}. */
    public static ObjectNode closedObject(String title) {
        ObjectNode o = NODES.objectNode().put("title", title).put("type", "object");
        o.putObject("properties");
        o.putArray("required");
        o.put("additionalProperties", false);
        return o;
    }

    /** Declares {@code name} on a {@link #closedObject}, required (always present) or optional. */
    public static void property(
            ObjectNode object, String name, ObjectNode schema, boolean required) {
        ((ObjectNode) object.get("properties")).set(name, schema);
        if (required) {
            ((ArrayNode) object.get("required")).add(name);
        }
    }
}
