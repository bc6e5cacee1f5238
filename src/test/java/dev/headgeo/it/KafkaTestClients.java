package dev.headgeo.it;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Plain byte-level producer and read_committed consumer for the integration tests. */
final class KafkaTestClients {
    private KafkaTestClients() {}

    static void produce(String bootstrap, String topic, List<Map.Entry<byte[], byte[]>> records) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (Map.Entry<byte[], byte[]> r : records) {
                producer.send(new ProducerRecord<>(topic, r.getKey(), r.getValue()));
            }
            producer.flush();
        }
    }

    /**
     * Waits until consumer group {@code groupId} has committed the end offset of every partition of
     * {@code topic}.
     */
    static boolean awaitConsumed(String bootstrap, String groupId, String topic, Duration timeout)
            throws Exception {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        try (org.apache.kafka.clients.admin.Admin admin =
                org.apache.kafka.clients.admin.Admin.create(p)) {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                var partitions =
                        admin.describeTopics(List.of(topic))
                                .allTopicNames()
                                .get()
                                .get(topic)
                                .partitions();
                Map<
                                org.apache.kafka.common.TopicPartition,
                                org.apache.kafka.clients.admin.OffsetSpec>
                        latest = new java.util.HashMap<>();
                for (var info : partitions) {
                    latest.put(
                            new org.apache.kafka.common.TopicPartition(topic, info.partition()),
                            org.apache.kafka.clients.admin.OffsetSpec.latest());
                }
                var ends = admin.listOffsets(latest).all().get();
                var committed =
                        admin.listConsumerGroupOffsets(groupId)
                                .partitionsToOffsetAndMetadata()
                                .get();
                boolean done = true;
                for (var e : ends.entrySet()) {
                    var c = committed.get(e.getKey());
                    // With exactly-once, the end offset includes one transaction marker.
                    if (e.getValue().offset() > 0
                            && (c == null || c.offset() < e.getValue().offset() - 1)) {
                        done = false;
                    }
                }
                if (done) {
                    return true;
                }
                Thread.sleep(100);
            }
            return false;
        }
    }

    /**
     * Reads a topic from the beginning (committed records only) until {@code done} holds or the
     * time is up.
     */
    static List<ConsumerRecord<byte[], byte[]>> readUntil(
            String bootstrap,
            String topic,
            Predicate<List<ConsumerRecord<byte[], byte[]>>> done,
            Duration timeout) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "it-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline && !done.test(out)) {
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }
}
