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
    private DeadLetters deadLetters = DeadLetters.unconfigured();

    @Override
    public void configure(Map<String, ?> configs) {
        deadLetters = DeadLetters.from(configs);
    }

    @Override
    public Response handleError(ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record, Exception e) {
        RejectReason reason = e instanceof RejectedRecordException rejected ? rejected.reason() : RejectReason.MALFORMED;
        LOG.warn("dead letter {} {}-{}@{}: {}", reason, context.topic(), context.partition(), context.offset(), Printable.of(e.getMessage()));
        return Response.resume(deadLetters.of(record.key(), record.value(), context, reason, e));
    }
}
