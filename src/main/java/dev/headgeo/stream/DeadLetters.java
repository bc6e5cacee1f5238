package dev.headgeo.stream;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.internals.ExceptionHandlerUtils;

/**
 * Dead-letter records in the shape of Kafka's own (KIP-1034): original key and value bytes,
 * {@code __streams.errors.*} headers for the exception, message and source topic, partition and
 * offset; plus {@code headgeo.reason} and {@code headgeo.detail}.
 */
public final class DeadLetters {
    public static final String REASON_HEADER = "headgeo.reason";
    public static final String DETAIL_HEADER = "headgeo.detail";

    private DeadLetters() {
    }

    /** The dead-letter topic from the Streams configuration, or null when none is set. */
    static String topic(Map<String, ?> configs) {
        Object t = configs.get(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG);
        return t == null ? null : t.toString();
    }

    static List<ProducerRecord<byte[], byte[]>> records(String topic, byte[] key, byte[] value,
                                                        ErrorHandlerContext context, RejectReason reason, Exception e) {
        if (topic == null) {
            return List.of();
        }
        ProducerRecord<byte[], byte[]> record = ExceptionHandlerUtils.buildDeadLetterQueueRecord(topic, key, value, context, e);
        record.headers().add(REASON_HEADER, reason.name().getBytes(StandardCharsets.UTF_8));
        String detail = e.getMessage() == null ? e.toString() : e.getMessage();
        record.headers().add(DETAIL_HEADER, detail.getBytes(StandardCharsets.UTF_8));
        return List.of(record);
    }
}
