package dev.headgeo.http.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * {@code GET /ready}: READY (200) exactly when Kafka Streams runs and Kafka answers; else NOT_READY
 * (503) and why.
 */
public record Readiness(
        String status,
        String streamsState,
        @JsonInclude(JsonInclude.Include.NON_NULL) String cause) {
    public static Readiness of(String streamsState, String cause) {
        return new Readiness(cause == null ? "READY" : "NOT_READY", streamsState, cause);
    }
}
