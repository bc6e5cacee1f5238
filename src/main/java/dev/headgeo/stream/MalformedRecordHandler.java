package dev.headgeo.stream;

import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A layer record that cannot be decoded: dead-lettered as MALFORMED, and processing goes on. */
public final class MalformedRecordHandler implements DeserializationExceptionHandler {
    private static final Logger LOG = LoggerFactory.getLogger(MalformedRecordHandler.class);
    private String deadLetterTopic;
    private HeadgeoMetrics metrics = HeadgeoMetrics.unregistered();

    @Override
    public void configure(Map<String, ?> configs) {
        deadLetterTopic = DeadLetters.topic(configs);
        metrics = HeadgeoMetrics.from(configs);
    }

    @Override
    public Response handleError(ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record, Exception e) {
        LOG.warn("dead letter MALFORMED {}-{}@{}: {}", context.topic(), context.partition(), context.offset(), e.getMessage());
        metrics.deadLettered(RejectReason.MALFORMED);
        return Response.resume(DeadLetters.records(deadLetterTopic, record.key(), record.value(), context, RejectReason.MALFORMED, e));
    }
}
