package dev.headgeo.client;

import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Makes a consumer group's start durable: on every partition assigned without a committed offset,
 * the position that {@code auto.offset.reset} chose (latest, or earliest with --from-beginning) is
 * committed at once. Without this a group that has never committed on a partition starts at {@code
 * latest} again after a crash, and whatever arrived there meanwhile is skipped: a forwarder killed
 * and restarted would lose those alerts. Then says where reading starts, one line.
 */
final class GroupStart implements ConsumerRebalanceListener {
    private final KafkaConsumer<?, ?> consumer;
    private final Consumer<String> announce;

    /**
     * @param announce receives "topic-0@12 (committed), topic-1@40 (new, committed now), …"; null
     *     for silence
     */
    GroupStart(KafkaConsumer<?, ?> consumer, Consumer<String> announce) {
        this.consumer = consumer;
        this.announce = announce;
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
        if (partitions.isEmpty()) {
            return;
        }
        Map<TopicPartition, OffsetAndMetadata> committed =
                consumer.committed(Set.copyOf(partitions));
        Map<TopicPartition, OffsetAndMetadata> fresh = new java.util.HashMap<>();
        Map<String, String> where = new TreeMap<>();
        for (TopicPartition tp : partitions) {
            OffsetAndMetadata c = committed.get(tp);
            if (c == null) {
                long position = consumer.position(tp);
                fresh.put(tp, new OffsetAndMetadata(position));
                where.put(tp.toString(), "@" + position + " (new, committed now)");
            } else {
                where.put(tp.toString(), "@" + c.offset());
            }
        }
        if (!fresh.isEmpty()) {
            consumer.commitSync(fresh);
        }
        if (announce != null) {
            StringBuilder line = new StringBuilder();
            where.forEach(
                    (tp, at) -> line.append(line.length() == 0 ? "" : ", ").append(tp).append(at));
            announce.accept(line.toString());
        }
    }

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
        // offsets are committed per record by the owner, nothing is pending here
    }
}
