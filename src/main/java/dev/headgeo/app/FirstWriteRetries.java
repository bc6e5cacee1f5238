package dev.headgeo.app;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.slf4j.Marker;

/**
 * Drops the lines Kafka prints around a transaction's first write to a partition, which it then
 * retries to success.
 *
 * <p>With transactions v2 (KIP-890) the partition joins the transaction on its first produce; while
 * the coordinator is still completing the previous transaction that produce is refused
 * (CONCURRENT_TRANSACTIONS) and retried, and the batches sent behind it reach a partition that
 * holds no state for the producer yet, which the broker refuses as out of order (KAFKA-15591) until
 * the first batch has landed. Every record is written once (issue #26: reproduced with a fresh
 * broker, {@code run} and three {@code publish} at once: four broker ERRORs with a stack trace and
 * four processor WARNs, then every report). A retry that never succeeds still ends in a delivery
 * time-out, which is logged.
 */
public final class FirstWriteRetries extends TurboFilter {
    private static final String SENDER = "org.apache.kafka.clients.producer.internals.Sender";
    private static final String REPLICA_MANAGER = "kafka.server.ReplicaManager";

    @Override
    public FilterReply decide(
            Marker marker,
            Logger logger,
            Level level,
            String format,
            Object[] params,
            Throwable t) {
        if (logger == null) {
            return FilterReply.NEUTRAL;
        }
        String name = logger.getName();
        // Kafka's clients format their lines before logging them (LogContext adds the client's
        // prefix): the text is
        // in format, with no params
        if (SENDER.equals(name)
                && format != null
                && format.contains("Got error produce response")
                && (format.contains("Error: OUT_OF_ORDER_SEQUENCE_NUMBER")
                        || format.contains("Error: CONCURRENT_TRANSACTIONS"))) {
            return FilterReply.DENY;
        }
        if (REPLICA_MANAGER.equals(name)
                && t instanceof OutOfOrderSequenceException
                && String.valueOf(t.getMessage()).contains("no existing state")) {
            return FilterReply.DENY;
        }
        return FilterReply.NEUTRAL;
    }
}
