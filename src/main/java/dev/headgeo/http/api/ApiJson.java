package dev.headgeo.http.api;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import dev.headgeo.wire.AvroJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * How the API's types become JSON, in one place: record components in snake_case, every declared
 * property written (null included), and the Avro records inside answers in {@link AvroJson}'s form.
 * Reading tolerates properties it does not know, so an instance of a newer release can answer an
 * older one.
 */
public final class ApiJson {
    public static final ObjectMapper MAPPER =
            JsonMapper.builder()
                    .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                    .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                    .addModule(avroRecords())
                    .build();

    private ApiJson() {}

    public static byte[] bytes(Object answer) {
        try {
            return MAPPER.writeValueAsBytes(answer);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * @throws UncheckedIOException when {@code json} is not a {@code type}
     */
    public static <T> T read(String json, Class<T> type) {
        try {
            return MAPPER.readValue(json, type);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static SimpleModule avroRecords() {
        SimpleModule module = new SimpleModule("headgeo-avro-json");
        module.addSerializer(
                SpecificRecord.class,
                new StdSerializer<>(SpecificRecord.class) {
                    @Override
                    public void serialize(
                            SpecificRecord value, JsonGenerator gen, SerializerProvider provider)
                            throws IOException {
                        gen.writeTree(AvroJson.toJson(value));
                    }
                });
        module.setDeserializers(
                new com.fasterxml.jackson.databind.module.SimpleDeserializers() {
                    @Override
                    public JsonDeserializer<?> findBeanDeserializer(
                            JavaType type, DeserializationConfig config, BeanDescription bean) {
                        Class<?> raw = type.getRawClass();
                        if (!SpecificRecord.class.isAssignableFrom(raw)) {
                            return null;
                        }
                        Schema schema = SpecificData.get().getSchema(raw);
                        return new StdDeserializer<SpecificRecord>(raw) {
                            @Override
                            public SpecificRecord deserialize(
                                    JsonParser p, DeserializationContext ctx) throws IOException {
                                JsonNode tree = p.readValueAsTree();
                                return AvroJson.fromOwnJson(tree, schema);
                            }
                        };
                    }
                });
        return module;
    }
}
