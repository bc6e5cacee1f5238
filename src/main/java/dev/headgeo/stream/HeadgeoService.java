package dev.headgeo.stream;

import dev.headgeo.wire.HeadgeoTopics;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import java.time.Duration;
import java.util.Properties;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.Topology;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running processor: runs the topology until closed. Topics must exist ({@code
 * client.TopicCreator} makes them).
 */
public final class HeadgeoService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HeadgeoService.class);

    /**
     * Ctrl-C must end the process within seconds, also with Kafka gone; exactly-once makes a
     * cut-short close safe.
     */
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(1);

    private final KafkaStreams streams;
    private final FailurePolicy policy;

    private HeadgeoService(KafkaStreams streams, FailurePolicy policy) {
        this.streams = streams;
        this.policy = policy;
    }

    /**
     * Why the processor stopped itself (missing permission, repeated failure), one line; null while
     * it runs.
     */
    public String fatalCause() {
        return policy.fatalCause();
    }

    /**
     * @param streamsConfig from {@link HeadgeoStreamsConfig#of}
     */
    public static HeadgeoService start(
            Properties streamsConfig, HeadgeoTopics topics, StreamSettings settings) {
        return start(streamsConfig, topics, settings, HeadgeoMetrics.unregistered());
    }

    /**
     * The same, counting into {@code metrics}; Kafka Streams' own metrics are bound to its registry
     * too.
     */
    public static HeadgeoService start(
            Properties streamsConfig,
            HeadgeoTopics topics,
            StreamSettings settings,
            HeadgeoMetrics metrics) {
        Topology topology = HeadgeoTopology.build(topics, settings, metrics);
        LOG.info("topology\n{}", topology.describe());
        Properties config = new Properties();
        config.putAll(streamsConfig);
        config.put(HeadgeoMetrics.CONFIG_KEY, metrics);
        KafkaStreams streams = new KafkaStreams(topology, config);
        new KafkaStreamsMetrics(streams).bindTo(metrics.registry());
        FailurePolicy policy = new FailurePolicy();
        streams.setUncaughtExceptionHandler(policy);
        streams.start();
        return new HeadgeoService(streams, policy);
    }

    /** The running Kafka Streams client, for interactive queries. */
    public KafkaStreams streams() {
        return streams;
    }

    public KafkaStreams.State state() {
        return streams.state();
    }

    /** How many partitions' tasks this instance processes now. */
    public int activeTasks() {
        return streams.metadataForLocalThreads().stream()
                .mapToInt(t -> t.activeTasks().size())
                .sum();
    }

    /** Waits up to {@code timeout} for the processor to reach RUNNING. */
    public boolean awaitRunning(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (streams.state() == KafkaStreams.State.RUNNING) {
                return true;
            }
            Thread.sleep(50);
        }
        return false;
    }

    /**
     * Leaves the consumer group on close, so that a successor takes over at once instead of after
     * the session time-out.
     */
    @Override
    public void close() {
        streams.close(
                CloseOptions.groupMembershipOperation(
                                CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                        .withTimeout(CLOSE_TIMEOUT));
    }
}
