package dev.headgeo.stream;

import dev.headgeo.wire.HeadgeoTopics;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import java.time.Duration;
import java.util.Properties;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The running processor: runs the topology until closed. Topics must exist ({@code client.TopicCreator} makes them). */
public final class HeadgeoService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HeadgeoService.class);

    private final KafkaStreams streams;

    private HeadgeoService(KafkaStreams streams) {
        this.streams = streams;
    }

    /** @param streamsConfig from {@link HeadgeoStreamsConfig#of} */
    public static HeadgeoService start(Properties streamsConfig, HeadgeoTopics topics, StreamSettings settings) {
        return start(streamsConfig, topics, settings, HeadgeoMetrics.unregistered());
    }

    /** The same, counting into {@code metrics}; Kafka Streams' own metrics are bound to its registry too. */
    public static HeadgeoService start(Properties streamsConfig, HeadgeoTopics topics, StreamSettings settings,
                                       HeadgeoMetrics metrics) {
        Topology topology = HeadgeoTopology.build(topics, settings, metrics);
        LOG.info("topology\n{}", topology.describe());
        Properties config = new Properties();
        config.putAll(streamsConfig);
        config.put(HeadgeoMetrics.CONFIG_KEY, metrics);
        KafkaStreams streams = new KafkaStreams(topology, config);
        new KafkaStreamsMetrics(streams).bindTo(metrics.registry());
        streams.setUncaughtExceptionHandler(e -> {
            LOG.error("stream thread failed; replacing it", e);
            return StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        streams.start();
        return new HeadgeoService(streams);
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
        return streams.metadataForLocalThreads().stream().mapToInt(t -> t.activeTasks().size()).sum();
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

    /** Leaves the consumer group on close, so that a successor takes over at once instead of after the session time-out. */
    @Override
    public void close() {
        streams.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                .withTimeout(Duration.ofSeconds(30)));
    }
}
