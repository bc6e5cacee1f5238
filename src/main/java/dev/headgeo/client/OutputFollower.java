package dev.headgeo.client;

import dev.headgeo.avro.Alert;
import dev.headgeo.avro.CheckpointReport;
import dev.headgeo.wire.AvroCodec;
import dev.headgeo.wire.HeadgeoTopics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Follows the reports and alerts topics without joining a consumer group (every partition
 * assigned, committed records only), decoding Avro or JSON values per record.
 */
public final class OutputFollower implements AutoCloseable {
    /** What to do with each decoded record. */
    public interface Listener {
        void report(CheckpointReport report);

        void alert(Alert alert);

        /** A value that is neither a report nor an alert. */
        default void undecodable(String topic, String why) {
        }
    }

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final String reportsTopic;
    private final Deserializer<CheckpointReport> reports;
    private final Deserializer<Alert> alerts;

    /**
     * @throws IllegalStateException when a topic does not exist or Kafka does not answer
     */
    public OutputFollower(Properties client, HeadgeoTopics topics, boolean fromBeginning) {
        Properties p = new Properties();
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "30000");
        p.putAll(client);
        this.reportsTopic = topics.reports().name();
        this.reports = topics.reports().valueSerde().deserializer();
        this.alerts = topics.alerts().valueSerde().deserializer();
        this.consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        try {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : List.of(reportsTopic, topics.alerts().name())) {
                List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
                if (infos == null || infos.isEmpty()) {
                    throw new IllegalStateException("topic " + topic + " does not exist (has headgeo run started?)");
                }
                for (PartitionInfo info : infos) {
                    partitions.add(new TopicPartition(topic, info.partition()));
                }
            }
            consumer.assign(partitions);
            if (fromBeginning) {
                consumer.seekToBeginning(partitions);
            } else {
                consumer.seekToEnd(partitions);
                partitions.forEach(consumer::position);
            }
        } catch (RuntimeException e) {
            consumer.close(Duration.ZERO);
            throw e instanceof IllegalStateException ? e
                    : new IllegalStateException("cannot read from Kafka at " + client.get("bootstrap.servers") + ": " + e.getMessage());
        }
    }

    /** Polls once and hands every record to {@code listener}; returns how many records came. */
    public int poll(Duration timeout, Listener listener) {
        int n = 0;
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(timeout)) {
            n++;
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
        return n;
    }

    /** Lets another thread end a blocking {@link #poll}. */
    public void wakeup() {
        consumer.wakeup();
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(5));
    }
}
