package dev.headgeo.http;

import dev.headgeo.http.api.ApiError;
import dev.headgeo.http.api.ApiJson;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * One HTTP answer: status, content type, body and extra headers. Every error is an {@link
 * ApiError}. A body may instead be written as it is made ({@code streamed}, then {@code body} is
 * empty): nothing of it is held whole.
 */
record Reply(
        int status,
        String contentType,
        byte[] body,
        Map<String, String> headers,
        Streamed streamed) {
    static final String JSON = "application/json";

    /** A body written piece by piece, on the request's thread. */
    interface Streamed {
        void writeTo(java.io.OutputStream out) throws java.io.IOException;
    }

    Reply(int status, String contentType, byte[] body, Map<String, String> headers) {
        this(status, contentType, body, headers, null);
    }

    static Reply streamed(String contentType, Map<String, String> headers, Streamed body) {
        return new Reply(200, contentType, new byte[0], headers, body);
    }

    /** {@code answer}, one of the API's types, as JSON. */
    static Reply json(int status, Object answer) {
        return new Reply(status, JSON, ApiJson.bytes(answer), Map.of());
    }

    static Reply ok(Object answer) {
        return json(200, answer);
    }

    static Reply error(int status, String message) {
        return json(status, new ApiError(message));
    }

    static Reply error(int status, String message, List<String> missingInstances) {
        return json(status, new ApiError(message, missingInstances));
    }

    /** A body from another instance, passed on as it came. */
    static Reply raw(int status, String contentType, String body) {
        return new Reply(status, contentType, body.getBytes(StandardCharsets.UTF_8), Map.of());
    }

    Reply withHeader(String name, String value) {
        java.util.Map<String, String> h = new java.util.LinkedHashMap<>(headers);
        h.put(name, value);
        return new Reply(status, contentType, body, Map.copyOf(h), streamed);
    }
}
