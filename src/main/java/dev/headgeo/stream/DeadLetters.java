package dev.headgeo.stream;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.internals.ExceptionHandlerUtils;

/**
 * Dead-letter records in the shape of Kafka's own (KIP-1034): original key and value bytes,
 * {@code __streams.errors.*} headers for the exception, message and source topic, partition and
 * offset; plus {@code headgeo.reason} and {@code headgeo.detail}. A value over 512 KiB is cut to its first
 * 64 KiB (header {@code headgeo.truncated-from} = its length), so that the dead letter itself can
 * always be sent; the original is still in the input topic at the offset the headers name.
 * An instance is the exception handlers' view of the configuration: the topic, and the metrics
 * that count dead letters by reason.
 */
public final class DeadLetters {
    public static final String REASON_HEADER = "headgeo.reason";
    public static final String DETAIL_HEADER = "headgeo.detail";
    /** Present when the value was cut: the original value's length in bytes (decimal). */
    public static final String TRUNCATED_HEADER = "headgeo.truncated-from";
    /** Values up to this size are copied whole; Kafka's default max.request.size is 1 MiB. */
    static final int MAX_COPIED_VALUE = 512 * 1024;
    /** What is kept of a larger value: enough to recognise it; the original stays in the input topic at the offset in the headers. */
    static final int TRUNCATED_VALUE = 64 * 1024;
    private static final int MAX_DETAIL = 2000;

    /** null when the configuration names no dead-letter topic */
    private final String topic;
    private final HeadgeoMetrics metrics;

    private DeadLetters(String topic, HeadgeoMetrics metrics) {
        this.topic = topic;
        this.metrics = metrics;
    }

    /** Before {@code configure}: counts nothing and sends nowhere. */
    static DeadLetters unconfigured() {
        return new DeadLetters(null, HeadgeoMetrics.unregistered());
    }

    /** The dead-letter topic and the metrics of a Streams configuration. */
    static DeadLetters from(Map<String, ?> configs) {
        Object t = configs.get(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG);
        return new DeadLetters(t == null ? null : t.toString(), HeadgeoMetrics.from(configs));
    }

    /** The dead letter of one record, counted under its reason; none when no topic is configured. */
    List<ProducerRecord<byte[], byte[]>> of(byte[] key, byte[] value, ErrorHandlerContext context, RejectReason reason, Exception e) {
        metrics.deadLettered(reason);
        if (topic == null) {
            return List.of();
        }
        byte[] copied = value;
        if (value != null && value.length > MAX_COPIED_VALUE) {
            copied = Arrays.copyOf(value, TRUNCATED_VALUE);
        }
        if (key != null && key.length > TRUNCATED_VALUE) {
            key = Arrays.copyOf(key, TRUNCATED_VALUE);
        }
        ProducerRecord<byte[], byte[]> record = ExceptionHandlerUtils.buildDeadLetterQueueRecord(topic, key, copied, context, e);
        record.headers().add(REASON_HEADER, reason.name().getBytes(StandardCharsets.UTF_8));
        String detail = e.getMessage() == null ? e.toString() : e.getMessage();
        if (detail.length() > MAX_DETAIL) {
            detail = detail.substring(0, MAX_DETAIL) + "…";
        }
        record.headers().add(DETAIL_HEADER, detail.getBytes(StandardCharsets.UTF_8));
        if (copied != value) {
            record.headers().add(TRUNCATED_HEADER, Integer.toString(value.length).getBytes(StandardCharsets.UTF_8));
        }
        return List.of(record);
    }
}
