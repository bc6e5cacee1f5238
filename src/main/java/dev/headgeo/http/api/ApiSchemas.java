package dev.headgeo.http.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.headgeo.wire.AvroJsonSchema;
import dev.headgeo.wire.JsonSchemas;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.Map;
import java.util.TreeMap;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * JSON Schemas (2020-12) of the API's types, read off the types themselves as {@link ApiJson}
 * writes them: a record's components in snake_case, all required unless written only when set, none
 * other allowed; {@link Nullable} ones may be null; Avro records as {@link AvroJsonSchema}
 * describes them.
 */
public final class ApiSchemas {
    public static final String REF_PREFIX = "#/components/schemas/";
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final PropertyNamingStrategies.NamingBase NAMES =
            (PropertyNamingStrategies.NamingBase) PropertyNamingStrategies.SNAKE_CASE;

    private final Map<String, ObjectNode> components = new TreeMap<>();

    /** Every schema referenced so far, by name. */
    public Map<String, ObjectNode> components() {
        return components;
    }

    /** The schema of {@code type} (a reference for records), defining what it names. */
    public ObjectNode of(Type type) {
        if (type instanceof ParameterizedType p) {
            Class<?> raw = (Class<?>) p.getRawType();
            Type[] args = p.getActualTypeArguments();
            if (java.util.List.class.isAssignableFrom(raw)) {
                ObjectNode a = NODES.objectNode().put("type", "array");
                a.set("items", of(args[0]));
                return a;
            }
            if (Map.class.isAssignableFrom(raw) && args[0] == String.class) {
                ObjectNode m = NODES.objectNode().put("type", "object");
                m.set("additionalProperties", of(args[1]));
                return m;
            }
            throw new IllegalArgumentException("no JSON schema for " + type);
        }
        Class<?> c = (Class<?>) type;
        if (c == String.class) {
            return NODES.objectNode().put("type", "string");
        }
        if (c == int.class || c == Integer.class) {
            return NODES.objectNode().put("type", "integer").put("format", "int32");
        }
        if (c == long.class || c == Long.class) {
            return NODES.objectNode().put("type", "integer").put("format", "int64");
        }
        if (c == double.class || c == Double.class) {
            return NODES.objectNode().put("type", "number").put("format", "double");
        }
        if (c == boolean.class || c == Boolean.class) {
            return NODES.objectNode().put("type", "boolean");
        }
        if (c.isEnum()) {
            ObjectNode e = NODES.objectNode().put("type", "string");
            ArrayNode symbols = e.putArray("enum");
            for (Object constant : c.getEnumConstants()) {
                symbols.add(((Enum<?>) constant).name());
            }
            return e;
        }
        if (SpecificRecord.class.isAssignableFrom(c)) {
            return AvroJsonSchema.reference(
                    SpecificData.get().getSchema(c), components, REF_PREFIX);
        }
        if (c.isRecord()) {
            return record(c);
        }
        throw new IllegalArgumentException("no JSON schema for " + c);
    }

    private ObjectNode record(Class<?> c) {
        String name = c.getSimpleName();
        ObjectNode ref = NODES.objectNode().put("$ref", REF_PREFIX + name);
        if (components.containsKey(name)) {
            return ref;
        }
        ObjectNode o = JsonSchemas.closedObject(name);
        components.put(name, o);
        for (RecordComponent rc : c.getRecordComponents()) {
            JsonProperty named = rc.getAccessor().getAnnotation(JsonProperty.class);
            String property = named != null ? named.value() : NAMES.translate(rc.getName());
            ObjectNode schema = of(rc.getGenericType());
            JsonInclude include = rc.getAccessor().getAnnotation(JsonInclude.class);
            JsonSchemas.property(
                    o,
                    property,
                    rc.isAnnotationPresent(Nullable.class) ? JsonSchemas.nullable(schema) : schema,
                    include == null || include.value() == JsonInclude.Include.ALWAYS);
        }
        return ref;
    }
}
