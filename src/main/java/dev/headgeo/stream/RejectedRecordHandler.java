package dev.headgeo.stream;

import dev.headgeo.util.Printable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A record a processor rejected ({@link RejectedRecordException}) is dead-lettered with its reason.
 * Any other processing failure is dead-lettered as PROCESSING_ERROR, so that one bad record never
 * stops the processor; it is logged with its stack trace.
 */
public final class RejectedRecordHandler implements ProcessingExceptionHandler {
    private static final Logger LOG = LoggerFactory.getLogger(RejectedRecordHandler.class);
    private DeadLetters deadLetters = DeadLetters.unconfigured();

    @Override
    public void configure(Map<String, ?> configs) {
        deadLetters = DeadLetters.from(configs);
    }

    @Override
    public Response handleError(ErrorHandlerContext context, Record<?, ?> record, Exception e) {
        if (e instanceof AnalysisFailedException failed) {
            LOG.error("{}; its {} layers go to the dead-letter topic as PROCESSING_ERROR", failed.getMessage(), failed.layers().size(),
                    failed.getCause());
            List<ProducerRecord<byte[], byte[]>> dead = new ArrayList<>();
            byte[] key = failed.runId().getBytes(StandardCharsets.UTF_8);
            for (byte[] layer : failed.layers()) {
                dead.addAll(deadLetters.of(key, layer, context, RejectReason.PROCESSING_ERROR, failed));
            }
            return Response.resume(dead);
        }
        RejectReason reason;
        if (e instanceof RejectedRecordException rejected) {
            reason = rejected.reason();
            LOG.warn("dead letter {} {}-{}@{}: {}", reason, context.topic(), context.partition(), context.offset(), Printable.of(e.getMessage()));
        } else {
            reason = RejectReason.PROCESSING_ERROR;
            LOG.error("dead letter PROCESSING_ERROR {}-{}@{}", context.topic(), context.partition(), context.offset(), e);
        }
        return Response.resume(deadLetters.of(context.sourceRawKey(), context.sourceRawValue(), context, reason, e));
    }
}
