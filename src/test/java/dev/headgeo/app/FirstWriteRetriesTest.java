package dev.headgeo.app;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.utils.internals.LogContext;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shipped logback.xml against the lines Kafka 4.4 printed in issue #26's reproduction, through
 * Kafka's own LogContext.
 */
class FirstWriteRetriesTest {
    private static final String PREFIX =
            "[Producer clientId=headgeo-1-StreamThread-1-producer, transactionalId=headgeo-1-1] ";
    private static final String RETRY =
            "Got error produce response with correlation id {} on topic-partition {}, retrying ({}"
                    + " attempts left). Error: {}";

    @Test
    void dropsTheRetriesOfAFirstWriteAndKeepsEverythingElse() {
        // the process's own context, configured from the shipped logback.xml (the tests have no
        // other), since Kafka's
        // LogContext takes its loggers from it
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        assertThat(context.getTurboFilterList())
                .hasAtLeastOneElementOfType(FirstWriteRetries.class);
        ListAppender<ILoggingEvent> seen = new ListAppender<>();
        seen.setContext(context);
        seen.start();
        context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).addAppender(seen);

        Logger sender =
                new LogContext(PREFIX).logger("org.apache.kafka.clients.producer.internals.Sender");
        sender.warn(
                RETRY,
                16,
                "headgeo-checkpoint-layers-changelog-0",
                2147483646,
                "CONCURRENT_TRANSACTIONS");
        sender.warn(
                RETRY,
                17,
                "headgeo-checkpoint-layers-changelog-0",
                2147483646,
                "OUT_OF_ORDER_SEQUENCE_NUMBER");
        sender.warn(RETRY, 18, "headgeo.reports-0", 2147483646, "NOT_LEADER_OR_FOLLOWER");
        var replicaManager = context.getLogger("kafka.server.ReplicaManager");
        replicaManager.error(
                "[ReplicaManager broker=1] Error processing append operation on partition"
                        + " x:headgeo-checkpoint-layers-changelog-0",
                new OutOfOrderSequenceException(
                        "Invalid sequence number for producer 0 at offset 2 in partition"
                            + " headgeo-checkpoint-layers-changelog-0: 2 (incoming seq. number)."
                            + " Expected sequence 0 for transactions v2 idempotent producer with no"
                            + " existing state."));
        replicaManager.error(
                "[ReplicaManager broker=1] Error processing append operation on partition x:t-0",
                new OutOfOrderSequenceException(
                        "Out of order sequence number for producer 7 at offset 9 in partition t-0:"
                                + " 12 (incoming seq. number), 10 (current end sequence number)"));
        replicaManager.error(
                "[ReplicaManager broker=1] Error processing append operation on partition x:t-0",
                new NotLeaderOrFollowerException("moved"));

        List<String> kept =
                seen.list.stream()
                        .map(
                                e ->
                                        e.getFormattedMessage()
                                                + (e.getThrowableProxy() == null
                                                        ? ""
                                                        : " / "
                                                                + e.getThrowableProxy()
                                                                        .getMessage()))
                        .toList();
        assertThat(kept).hasSize(3);
        assertThat(kept.get(0)).contains("NOT_LEADER_OR_FOLLOWER");
        assertThat(kept.get(1)).contains("current end sequence number");
        assertThat(kept.get(2)).contains("moved");
        context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).detachAppender(seen);
    }
}
