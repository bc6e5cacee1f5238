package dev.headgeo.stream;

import dev.headgeo.util.Printable;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A layer record that cannot be decoded (MALFORMED) or is too large to (TOO_LARGE): dead-lettered, and processing goes on. */
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
        RejectReason reason = e instanceof RejectedRecordException rejected ? rejected.reason() : RejectReason.MALFORMED;
        LOG.warn("dead letter {} {}-{}@{}: {}", reason, context.topic(), context.partition(), context.offset(), Printable.of(e.getMessage()));
        metrics.deadLettered(reason);
        return Response.resume(DeadLetters.records(deadLetterTopic, record.key(), record.value(), context, reason, e));
    }
}
