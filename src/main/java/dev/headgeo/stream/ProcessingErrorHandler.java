package dev.headgeo.stream;

import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The safety net: the topology sends the records it rejects to its own dead-letter sink, so what
 * reaches this handler is an exception thrown out of a processor, a bug. The record is
 * dead-lettered as PROCESSING_ERROR with its stack trace logged, so that one bad record never stops
 * the processor. Except state it cannot read because a newer release wrote it: that stops the
 * processor with one line.
 */
public final class ProcessingErrorHandler implements ProcessingExceptionHandler {
    private static final Logger LOG = LoggerFactory.getLogger(ProcessingErrorHandler.class);
    private String topic;
    private DeadLetters deadLetters;

    @Override
    public void configure(Map<String, ?> configs) {
        Object t = configs.get(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG);
        topic = t == null ? null : t.toString();
        deadLetters = new DeadLetters(HeadgeoMetrics.from(configs));
    }

    @Override
    public Response handleError(ErrorHandlerContext context, Record<?, ?> record, Exception e) {
        for (Throwable t = e; t != null && t.getCause() != t; t = t.getCause()) {
            if (t instanceof dev.headgeo.wire.AvroCodec.UnknownVersionException) {
                // a store value of a newer release: every record would meet it; stop (FailurePolicy
                // says why) instead
                LOG.error(
                        "stopping: {} (in {})",
                        FailurePolicy.newerState(t),
                        context.processorNodeId());
                return Response.fail();
            }
        }
        LOG.error(
                "dead letter PROCESSING_ERROR {}-{}@{} (in {})",
                context.topic(),
                context.partition(),
                context.offset(),
                context.processorNodeId(),
                e);
        if (topic == null) {
            LOG.error(
                    "no dead-letter topic is configured ({}): the record is skipped",
                    StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG);
            return Response.resume();
        }
        return Response.resume(
                List.of(
                        deadLetters.forHandler(
                                topic,
                                context.sourceRawKey(),
                                context.sourceRawValue(),
                                context,
                                RejectReason.PROCESSING_ERROR,
                                e)));
    }
}
