package dev.headgeo.stream;

import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A record the broker will never accept (larger than max.request.size or the topic's
 * max.message.bytes) is dropped with one ERROR line instead of failing the thread again and again;
 * with the shape limits in place no report or alert is near that size, so this is a safety net.
 * Every other send failure fails as Kafka's default does (and {@link FailurePolicy} decides).
 */
public final class OversizedRecordHandler implements ProductionExceptionHandler {
    private static final Logger LOG = LoggerFactory.getLogger(OversizedRecordHandler.class);

    @Override
    public void configure(Map<String, ?> configs) {}

    @Override
    public Response handleError(
            ErrorHandlerContext context, ProducerRecord<byte[], byte[]> record, Exception e) {
        if (e instanceof RecordTooLargeException) {
            LOG.error(
                    "dropped a record for {} that the broker refuses as too large ({} bytes): {}",
                    record.topic(),
                    record.value() == null ? 0 : record.value().length,
                    e.getMessage());
            return Response.resume();
        }
        return Response.fail();
    }
}
