package dev.headgeo.client;

import dev.headgeo.avro.LayerGeometry;
import dev.headgeo.wire.HeadgeoTopics;
import dev.headgeo.wire.ProducerHeader;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;

/**
 * Publishes layer records keyed by run_id: idempotent producer, acks=all, fails fast when Kafka is
 * unreachable.
 */
public final class LayerPublisher implements AutoCloseable {
    private final KafkaProducer<String, LayerGeometry> producer;
    private final String topic;

    /**
     * @param topic the layers topic of {@link HeadgeoTopics}: its name and its serdes
     */
    public LayerPublisher(Properties client, HeadgeoTopics.Topic<String, LayerGeometry> topic) {
        Properties p = new Properties();
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "30000");
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "60000");
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "30000");
        p.putAll(client);
        this.topic = topic.name();
        this.producer =
                new KafkaProducer<>(
                        p, topic.keySerde().serializer(), topic.valueSerde().serializer());
    }

    /** Sends every record and waits until all are acknowledged. */
    public void publish(List<LayerGeometry> layers) {
        List<Future<RecordMetadata>> sent = new ArrayList<>(layers.size());
        try {
            for (LayerGeometry layer : layers) {
                sent.add(producer.send(record(layer)));
            }
            producer.flush();
            for (Future<RecordMetadata> f : sent) {
                f.get();
            }
        } catch (ExecutionException e) {
            throw new PublishException(
                    "publishing to " + topic + " failed: " + e.getCause().getMessage());
        } catch (KafkaException e) {
            throw new PublishException("publishing to " + topic + " failed: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PublishException("interrupted while publishing");
        }
    }

    /** Sends one record without waiting (for a live, paced publisher such as the demo's). */
    public void send(LayerGeometry layer) {
        producer.send(record(layer));
    }

    private ProducerRecord<String, LayerGeometry> record(LayerGeometry layer) {
        ProducerRecord<String, LayerGeometry> r =
                new ProducerRecord<>(topic, layer.getRunId(), layer);
        ProducerHeader.add(r.headers());
        return r;
    }

    @Override
    public void close() {
        producer.close();
    }

    /** Publishing failed; the message is one line. */
    public static final class PublishException extends RuntimeException {
        public PublishException(String message) {
            super(message, null, false, false);
        }
    }
}
