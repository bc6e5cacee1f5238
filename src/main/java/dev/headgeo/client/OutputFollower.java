package dev.headgeo.client;

import dev.headgeo.avro.Alert;
import dev.headgeo.avro.CheckpointReport;
import dev.headgeo.wire.AvroCodec;
import dev.headgeo.wire.HeadgeoTopics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Follows the reports and/or alerts topics (committed records only), decoding Avro or JSON values
 * per record: without a consumer group (every partition assigned) or in one (resuming where it
 * stopped).
 */
public final class OutputFollower implements AutoCloseable {
    /** What to do with each decoded record. */
    public interface Listener {
        void report(CheckpointReport report);

        void alert(Alert alert);

        /** A value that is neither a report nor an alert. */
        default void undecodable(String topic, String why) {}
    }

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final boolean grouped;

    /**
     * With --from-beginning: where the history ends; records are held until then and shown in
     * timestamp order.
     */
    private Map<TopicPartition, Long> catchUpTo = Map.of();

    private final List<ConsumerRecord<byte[], byte[]>> held = new ArrayList<>();
    private final String reportsTopic;
    private final Deserializer<CheckpointReport> reports;
    private final Deserializer<Alert> alerts;

    /** Which topics to follow and from where. */
    public record Options(boolean reports, boolean alerts, boolean fromBeginning, String group) {
        /** Reports and alerts, without a group. */
        public static Options both(boolean fromBeginning) {
            return new Options(true, true, fromBeginning, null);
        }
    }

    /** Reports and alerts without a consumer group. */
    public OutputFollower(Properties client, HeadgeoTopics topics, boolean fromBeginning) {
        this(client, topics, Options.both(fromBeginning));
    }

    /**
     * Without a group, every partition is assigned and read from the end (or the beginning); with
     * one, the group's committed positions are resumed ({@link #commit()} after handling).
     *
     * @throws IllegalStateException when a topic does not exist or Kafka does not answer
     */
    public OutputFollower(Properties client, HeadgeoTopics topics, Options options) {
        Properties p = new Properties();
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "30000");
        if (options.group() != null) {
            p.put(ConsumerConfig.GROUP_ID_CONFIG, options.group());
            p.put(
                    ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                    options.fromBeginning() ? "earliest" : "latest");
        }
        p.putAll(client);
        this.grouped = options.group() != null;
        this.reportsTopic = topics.reports().name();
        this.reports = topics.reports().valueSerde().deserializer();
        this.alerts = topics.alerts().valueSerde().deserializer();
        this.consumer =
                new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        try {
            List<String> names = new ArrayList<>();
            if (options.reports()) {
                names.add(reportsTopic);
            }
            if (options.alerts()) {
                names.add(topics.alerts().name());
            }
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : names) {
                List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
                if (infos == null || infos.isEmpty()) {
                    throw new IllegalStateException(
                            "topic " + topic + " does not exist (has headgeo run started?)");
                }
                for (PartitionInfo info : infos) {
                    partitions.add(new TopicPartition(topic, info.partition()));
                }
            }
            if (grouped) {
                consumer.subscribe(names, new GroupStart(consumer, null));
            } else {
                consumer.assign(partitions);
                if (options.fromBeginning()) {
                    consumer.seekToBeginning(partitions);
                    catchUpTo = new HashMap<>(consumer.endOffsets(partitions));
                } else {
                    consumer.seekToEnd(partitions);
                    partitions.forEach(consumer::position);
                }
            }
        } catch (RuntimeException e) {
            consumer.close(Duration.ZERO);
            throw e instanceof IllegalStateException
                    ? e
                    : new IllegalStateException(
                            "cannot read from Kafka at "
                                    + client.get("bootstrap.servers")
                                    + ": "
                                    + e.getMessage());
        }
    }

    /**
     * With a group: records the position after everything handled so far, so a restart resumes
     * there.
     */
    public void commit() {
        if (grouped) {
            consumer.commitSync();
        }
    }

    /**
     * Polls once and hands every record to {@code listener}, in record-timestamp order (a report
     * before the alerts it raised, which share its timestamp); returns how many records came.
     */
    public int poll(Duration timeout, Listener listener) {
        List<ConsumerRecord<byte[], byte[]>> batch = new ArrayList<>();
        consumer.poll(timeout).forEach(batch::add);
        if (!catchUpTo.isEmpty()) {
            // the history of both topics is shown merged by time, not topic after topic
            held.addAll(batch);
            catchUpTo.entrySet().removeIf(e -> consumer.position(e.getKey()) >= e.getValue());
            if (!catchUpTo.isEmpty()) {
                return batch.size();
            }
            batch = new ArrayList<>(held);
            held.clear();
        }
        batch.sort(
                Comparator.<ConsumerRecord<byte[], byte[]>>comparingLong(ConsumerRecord::timestamp)
                        .thenComparing(r -> !r.topic().equals(reportsTopic)));
        for (ConsumerRecord<byte[], byte[]> r : batch) {
            try {
                if (r.topic().equals(reportsTopic)) {
                    listener.report(reports.deserialize(r.topic(), r.value()));
                } else {
                    listener.alert(alerts.deserialize(r.topic(), r.value()));
                }
            } catch (AvroCodec.MalformedException e) {
                listener.undecodable(r.topic(), e.getMessage());
            }
        }
        return batch.size();
    }

    /** Lets another thread end a blocking {@link #poll}. */
    public void wakeup() {
        consumer.wakeup();
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(1));
    }
}
