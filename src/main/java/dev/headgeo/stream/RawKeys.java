package dev.headgeo.stream;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Layer record keys as they arrived, as text with one character per byte (ISO-8859-1), so that a
 * dead letter gets the original key bytes back whatever they were, while the topology's keys stay
 * strings. Only the layers source and the dead-letter sink use this encoding; every other edge is
 * keyed by the run id itself.
 */
final class RawKeys {
    private RawKeys() {}

    static final Deserializer<String> DESERIALIZER =
            (topic, data) -> data == null ? null : new String(data, StandardCharsets.ISO_8859_1);
    static final Serializer<String> SERIALIZER =
            (topic, key) -> key == null ? null : key.getBytes(StandardCharsets.ISO_8859_1);

    /** The raw key of a run id sent as UTF-8 (what every producer does). */
    static String ofRunId(String runId) {
        return new String(runId.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
    }

    /** The key as the producer meant it (UTF-8), to compare with the record's run_id. */
    static String text(String rawKey) {
        return rawKey == null
                ? null
                : new String(rawKey.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
    }
}
