package dev.headgeo.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.headgeo.wire.Json;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** One HTTP answer: status, content type, body and extra headers. Every error is a JSON object with {@code error}. */
record Reply(int status, String contentType, byte[] body, Map<String, String> headers) {
    static final String JSON = "application/json";

    static Reply json(int status, JsonNode body) {
        try {
            return new Reply(status, JSON, Json.MAPPER.writeValueAsBytes(body), Map.of());
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Reply ok(JsonNode body) {
        return json(200, body);
    }

    static Reply error(int status, String message) {
        return json(status, errorBody(message));
    }

    static ObjectNode errorBody(String message) {
        return Json.MAPPER.createObjectNode().put("error", message);
    }

    /** A body from another instance, passed on as it came. */
    static Reply raw(int status, String contentType, String body) {
        return new Reply(status, contentType, body.getBytes(StandardCharsets.UTF_8), Map.of());
    }

    Reply withHeader(String name, String value) {
        java.util.Map<String, String> h = new java.util.LinkedHashMap<>(headers);
        h.put(name, value);
        return new Reply(status, contentType, body, Map.copyOf(h));
    }
}
