package dev.headgeo.stream;

import dev.headgeo.wire.HeadgeoTopics;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;

/** The Kafka Streams configuration headgeo runs with; extra properties override it. */
public final class HeadgeoStreamsConfig {
    /**
     * Per partition and fetch; a larger record still comes whole (Kafka returns at least one
     * batch).
     */
    static final int MAX_PARTITION_FETCH_BYTES = 2 * 1024 * 1024;

    private HeadgeoStreamsConfig() {}

    public static final String DEFAULT_APPLICATION_ID = "headgeo";

    /** One standby copy of every store on another instance (no effect with a single instance). */
    public static final String DEFAULT_STANDBY_REPLICAS = "1";

    /** The broker's smallest allowed session time-out by default is 6 s. */
    public static final String DEFAULT_SESSION_TIMEOUT_MS = "6000";

    public static final String DEFAULT_HEARTBEAT_INTERVAL_MS = "1500";

    /** headgeo's transactions last about commit.interval.ms (100 ms under exactly-once). */
    public static final String DEFAULT_TRANSACTION_TIMEOUT_MS = "5000";

    public static Properties of(
            String bootstrapServers,
            String applicationId,
            String stateDir,
            HeadgeoTopics topics,
            Map<String, String> extra) {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        if (stateDir != null) {
            p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir);
        }
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        // the topology dead-letters what it rejects itself; these handlers are the safety net for a
        // processor's bug
        // and a record the broker refuses (the layers source reads bytes, so nothing fails to
        // deserialize)
        p.put(
                StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG,
                ProcessingErrorHandler.class.getName());
        p.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, true);
        p.put(
                StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG,
                OversizedRecordHandler.class.getName());
        p.put(
                StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG,
                topics.deadLetters().name());
        p.put(
                StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG,
                BoundedRocksDbMemory.class.getName());
        // a layer record is tens of KB (a 32x32x128 checkpoint is 1 MB): batch in hundreds of KB,
        // not in Kafka's
        // default of 16 KB, which made every layer its own request; fetch up to two such
        // checkpoints per partition.
        // A fetch response is read into one heap array: at 8 MB per partition those were tens of
        // MB, which G1
        // allocates as humongous objects and answered by growing the heap (peak RSS 595 -> 496 MB
        // at -Xmx512m, #28)
        p.put(
                StreamsConfig.consumerPrefix(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG),
                Integer.toString(MAX_PARTITION_FETCH_BYTES));
        p.put(
                StreamsConfig.producerPrefix(ProducerConfig.BATCH_SIZE_CONFIG),
                Integer.toString(512 * 1024));
        p.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), "5");
        // failover: a dead instance's partitions move after the session time-out (Kafka's 45 s
        // default), to an
        // instance that already keeps a standby copy of their stores, and the new owner waits for
        // the dead one's
        // open transaction to be aborted (transaction.timeout.ms after it began): both shortened so
        // that its runs
        // report again within about 15 s; a restarted instance fences its own old transaction at
        // once
        p.put(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, DEFAULT_STANDBY_REPLICAS);
        p.put(
                StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG),
                DEFAULT_SESSION_TIMEOUT_MS);
        p.put(
                StreamsConfig.consumerPrefix(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG),
                DEFAULT_HEARTBEAT_INTERVAL_MS);
        p.put(
                StreamsConfig.producerPrefix(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG),
                DEFAULT_TRANSACTION_TIMEOUT_MS);
        p.putAll(extra);
        return p;
    }
}
