package dev.headgeo.bench;

import dev.headgeo.util.Directories;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;

/**
 * The engine's own ceiling on this machine and cluster: a pass-through Kafka Streams application
 * (source → sink, nothing else) with headgeo's Streams settings (exactly-once v2, the same fetch,
 * batch and failover settings), on two fresh topics with the layers topic's partitions and
 * replication, moving the same encoded layer records as the burst. What headgeo adds on top of it
 * (gathering into stores with changelogs, the analysis, reports, alerts) is what the ratio
 * measures.
 */
public final class Baseline {
    /**
     * Checkpoints (their layer records) moved through per second, from the first send to the last
     * record read back committed.
     */
    public record Result(
            int checkpoints,
            long records,
            double checkpointsPerSecond,
            double megabytesPerSecond) {}

    private Baseline() {}

    /**
     * @param streamsConfig headgeo's Streams configuration for this cluster (application id and
     *     state directory are replaced)
     * @param layersTopic whose partitions and replication the baseline's topics copy
     * @param checkpoints encoded layer records per checkpoint, with their record keys
     */
    public static Result run(
            Properties streamsConfig,
            Properties client,
            String layersTopic,
            List<LoadTest.Checkpoint> checkpoints,
            Duration patience)
            throws InterruptedException {
        String id = "headgeo-baseline-" + Long.toHexString(System.nanoTime() & 0xffffff);
        String in = id + ".in";
        String out = id + ".out";
        Path stateDir = null;
        try (Admin admin = Admin.create(client)) {
            TopicDescription layers =
                    admin.describeTopics(Set.of(layersTopic))
                            .allTopicNames()
                            .get()
                            .get(layersTopic);
            int partitions = layers.partitions().size();
            short replication = (short) layers.partitions().get(0).replicas().size();
            admin.createTopics(
                            List.of(
                                    new NewTopic(in, partitions, replication),
                                    new NewTopic(out, partitions, replication)))
                    .all()
                    .get();
            stateDir = Files.createTempDirectory(id);
            Properties config = new Properties();
            config.putAll(streamsConfig);
            config.put(StreamsConfig.APPLICATION_ID_CONFIG, id);
            config.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
            config.remove(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG); // nothing in a
            // pass-through can throw
            Topology passThrough = new Topology();
            passThrough.addSource(
                    "source",
                    Serdes.ByteArray().deserializer(),
                    Serdes.ByteArray().deserializer(),
                    in);
            passThrough.addSink(
                    "sink",
                    out,
                    Serdes.ByteArray().serializer(),
                    Serdes.ByteArray().serializer(),
                    "source");
            try (KafkaStreams streams = new KafkaStreams(passThrough, config)) {
                streams.start();
                awaitRunning(streams, patience);
                // untimed first: headgeo's processor is timed after its warm-up, so the
                // pass-through is too (compiled
                // code, open connections); a cold pass-through ran at about 0.6 of its warm rate
                // here
                measure(client, in, out, checkpoints, patience, "-warmup");
                return measure(client, in, out, checkpoints, patience, "-reader");
            } finally {
                admin.deleteTopics(List.of(in, out));
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException(
                    "the baseline's topics: " + e.getCause().getMessage(), e.getCause());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } finally {
            Directories.deleteRecursively(stateDir);
        }
    }

    /**
     * Sends the records to {@code in} and reads them from {@code out} with a new group that starts
     * at the end.
     */
    private static Result measure(
            Properties client,
            String in,
            String out,
            List<LoadTest.Checkpoint> checkpoints,
            Duration patience,
            String readerSuffix)
            throws InterruptedException {
        long records = checkpoints.stream().mapToLong(c -> c.layers().size()).sum();
        long bytes = checkpoints.stream().mapToLong(LoadTest.Checkpoint::bytes).sum();
        Properties c = new Properties();
        c.putAll(client);
        c.put(ConsumerConfig.GROUP_ID_CONFIG, in + readerSuffix);
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Integer.toString(8 * 1024 * 1024));
        try (KafkaConsumer<byte[], byte[]> consumer =
                        new KafkaConsumer<>(
                                c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
                KafkaProducer<byte[], byte[]> producer =
                        new KafkaProducer<>(
                                LoadTest.producerConfig(client),
                                new ByteArraySerializer(),
                                new ByteArraySerializer())) {
            consumer.subscribe(List.of(out));
            // the reader joins its group before the clock starts
            long joinDeadline = System.nanoTime() + patience.toNanos();
            while (consumer.assignment().isEmpty() && System.nanoTime() < joinDeadline) {
                consumer.poll(Duration.ofMillis(100));
            }
            // past what an earlier pass left (all of it committed and read by then)
            consumer.seekToEnd(consumer.assignment());
            consumer.assignment().forEach(consumer::position);
            long start = System.nanoTime();
            // sending on its own thread, reading here meanwhile, as the load test's reader does
            Thread sender =
                    new Thread(
                            () -> {
                                for (LoadTest.Checkpoint checkpoint : checkpoints) {
                                    byte[] key =
                                            checkpoint.runId().getBytes(StandardCharsets.UTF_8);
                                    for (byte[] layer : checkpoint.layers()) {
                                        producer.send(new ProducerRecord<>(in, key, layer));
                                    }
                                }
                                producer.flush();
                            },
                            "baseline-sender");
            sender.start();
            long read = 0;
            long deadline = start + patience.toNanos();
            while (read < records && System.nanoTime() < deadline) {
                ConsumerRecords<byte[], byte[]> got = consumer.poll(Duration.ofMillis(100));
                read += got.count();
            }
            sender.join();
            double seconds = Math.max(1e-3, (System.nanoTime() - start) / 1e9);
            double share = records == 0 ? 0 : (double) read / records;
            return new Result(
                    checkpoints.size(),
                    read,
                    checkpoints.size() * share / seconds,
                    bytes * share / 1e6 / seconds);
        }
    }

    private static void awaitRunning(KafkaStreams streams, Duration patience)
            throws InterruptedException {
        long deadline = System.nanoTime() + patience.toNanos();
        while (streams.state() != KafkaStreams.State.RUNNING) {
            if (System.nanoTime() > deadline
                    || streams.state() == KafkaStreams.State.ERROR
                    || streams.state() == KafkaStreams.State.NOT_RUNNING) {
                throw new IllegalStateException(
                        "the baseline application did not start: " + streams.state());
            }
            Thread.sleep(50);
        }
    }
}
