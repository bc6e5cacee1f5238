package dev.headgeo.bench;

import dev.headgeo.avro.CheckpointReport;
import dev.headgeo.avro.LayerGeometry;
import dev.headgeo.client.OutputFollower;
import dev.headgeo.dump.Dump;
import dev.headgeo.dump.LayerRecords;
import dev.headgeo.dump.SyntheticDumps;
import dev.headgeo.wire.HeadgeoTopics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Load through Kafka: publishes generated checkpoints of one shape over several runs, first at a
 * steady rate, then as fast as it can (a burst), and reads the reports back read_committed. Latency
 * is from the completing layer's record timestamp (the report's completed_at) to the report's
 * arrival, reported for each phase on its own (the burst's is mostly queueing behind itself);
 * throughput is checkpoints reported per second during the burst. The steady phase's records are
 * encoded as they are sent (a few milliseconds a checkpoint, so a long warm-up costs no memory);
 * the burst's are encoded before it starts, so the generator spends the burst sending.
 */
public final class LoadTest {
    /**
     * What to send: at {@code steadyRate} checkpoints/s for {@code warmup} (sent and counted, but
     * not in the latencies: the JIT compiles and the first batches open connections) and then for
     * {@code steadyDuration}, then {@code burstCheckpoints} at once.
     */
    public record Plan(
            int layers,
            int heads,
            int rank,
            int runs,
            double steadyRate,
            Duration warmup,
            Duration steadyDuration,
            int burstCheckpoints) {
        int warmupCount() {
            return count(warmup);
        }

        int steadyCount() {
            return warmupCount() + count(steadyDuration);
        }

        private int count(Duration d) {
            return (int) Math.round(steadyRate * d.toMillis() / 1000.0);
        }
    }

    /**
     * What came back; {@code burstRecords} are the burst's encoded records, for a baseline on the
     * same records.
     */
    public record Result(
            int sent,
            int received,
            double burstCheckpointsPerSecond,
            double burstMegabytesPerSecond,
            Latency steady,
            Latency burst,
            long layerBytes,
            List<Checkpoint> burstRecords) {}

    /** One checkpoint's layer records, encoded, with the run id they are keyed by. */
    public record Checkpoint(String runId, List<byte[]> layers) {
        long bytes() {
            return layers.stream().mapToLong(b -> b.length).sum();
        }
    }

    /**
     * How the load generator's producer sends: acks=all, batches in MBs as headgeo's own producer.
     */
    static Properties producerConfig(Properties client) {
        Properties p = new Properties();
        p.putAll(client);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(512 * 1024));
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(4 * 1024 * 1024));
        return p;
    }

    /** Latency percentiles of one phase in milliseconds; NaN when the phase had no reports. */
    public record Latency(double p50Ms, double p99Ms, double maxMs) {
        static Latency of(long[] sorted) {
            return new Latency(
                    percentile(sorted, 0.50),
                    percentile(sorted, 0.99),
                    sorted.length == 0 ? Double.NaN : sorted[sorted.length - 1]);
        }
    }

    private final Properties client;
    private final HeadgeoTopics topics;

    public LoadTest(Properties client, HeadgeoTopics topics) {
        this.client = client;
        this.topics = topics;
    }

    public Result run(Plan plan, Duration patience) throws InterruptedException {
        String prefix = "load-" + Long.toHexString(System.nanoTime() & 0xffffff) + "-";
        int steadyCount = plan.steadyCount();
        Encoder encoder = new Encoder(plan, prefix);
        List<Checkpoint> burst = new ArrayList<>(plan.burstCheckpoints());
        for (int i = steadyCount; i < steadyCount + plan.burstCheckpoints(); i++) {
            burst.add(encoder.checkpoint(i));
        }
        long layerBytes = burst.isEmpty() ? 0 : burst.get(0).bytes();
        int total = steadyCount + plan.burstCheckpoints();

        ConcurrentMap<String, Long> latencies = new ConcurrentHashMap<>();
        ConcurrentMap<String, Long> arrivals = new ConcurrentHashMap<>();
        AtomicBoolean stop = new AtomicBoolean();
        OutputFollower follower =
                new OutputFollower(
                        client, topics, new OutputFollower.Options(true, false, false, null));
        Thread reader =
                new Thread(
                        () -> read(follower, prefix, latencies, arrivals, stop, total),
                        "loadtest-reader");
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(
                        producerConfig(client),
                        new ByteArraySerializer(),
                        new ByteArraySerializer())) {
            reader.start();
            long intervalNanos = plan.steadyRate() > 0 ? (long) (1e9 / plan.steadyRate()) : 0;
            long next = System.nanoTime();
            for (int i = 0; i < steadyCount; i++) {
                Checkpoint checkpoint = encoder.checkpoint(i);
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
                send(producer, checkpoint);
                next += intervalNanos;
            }
            awaitReports(arrivals, steadyCount, patience);
            long burstStart = System.nanoTime();
            long burstStartMs = System.currentTimeMillis();
            for (int i = 0; i < burst.size(); i++) {
                send(producer, burst.get(i));
            }
            producer.flush();
            awaitReports(arrivals, total, patience);
            long lastArrival =
                    arrivals.values().stream()
                            .mapToLong(Long::longValue)
                            .max()
                            .orElse(burstStartMs);
            double burstSeconds = Math.max(1e-3, (lastArrival - burstStartMs) / 1000.0);
            stop.set(true);
            reader.join(5000);
            int burstReceived =
                    (int)
                            arrivals.keySet().stream()
                                    .filter(k -> checkpointOf(k) >= steadyCount)
                                    .count();
            return new Result(
                    total,
                    arrivals.size(),
                    burstReceived / burstSeconds,
                    burstReceived * layerBytes / 1e6 / burstSeconds,
                    Latency.of(phase(latencies, plan.warmupCount(), steadyCount)),
                    Latency.of(phase(latencies, steadyCount, total)),
                    layerBytes,
                    burst);
        } finally {
            stop.set(true);
        }
    }

    private void send(KafkaProducer<byte[], byte[]> producer, Checkpoint checkpoint) {
        byte[] key = checkpoint.runId().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        for (byte[] layer : checkpoint.layers()) {
            producer.send(new ProducerRecord<>(topics.layers().name(), key, layer));
        }
    }

    private static String runId(String prefix, Plan plan, int index) {
        return prefix + (index % plan.runs());
    }

    private static long checkpointOf(String key) {
        return Long.parseLong(key.substring(key.lastIndexOf('@') + 1));
    }

    /** Layer records of one generated model, each checkpoint as Avro single-object bytes. */
    private final class Encoder {
        private final Plan plan;
        private final String prefix;
        private final Dump dump;
        private final Serializer<LayerGeometry> serializer =
                topics.layers().valueSerde().serializer();

        Encoder(Plan plan, String prefix) {
            this.plan = plan;
            this.prefix = prefix;
            this.dump = SyntheticDumps.generate(plan.layers(), plan.heads(), plan.rank(), 0.03, 7);
        }

        Checkpoint checkpoint(int index) {
            String runId = runId(prefix, plan, index);
            List<byte[]> layers = new ArrayList<>(plan.layers());
            for (LayerGeometry l : LayerRecords.split(dump, runId, index, "loadtest", null)) {
                layers.add(serializer.serialize(topics.layers().name(), l));
            }
            return new Checkpoint(runId, layers);
        }
    }

    private static void read(
            OutputFollower reportsFollower,
            String prefix,
            ConcurrentMap<String, Long> latencies,
            ConcurrentMap<String, Long> arrivals,
            AtomicBoolean stop,
            int expected) {
        try (OutputFollower follower = reportsFollower) {
            OutputFollower.Listener listener =
                    new OutputFollower.Listener() {
                        @Override
                        public void report(CheckpointReport r) {
                            if (r.getRunId().startsWith(prefix)) {
                                long now = System.currentTimeMillis();
                                String key = r.getRunId() + "@" + r.getCheckpoint();
                                arrivals.put(key, now);
                                if (r.getCompletedAt() != null) {
                                    latencies.put(key, now - r.getCompletedAt().toEpochMilli());
                                }
                            }
                        }

                        @Override
                        public void alert(dev.headgeo.avro.Alert a) {}
                    };
            while (!stop.get() && arrivals.size() < expected) {
                follower.poll(Duration.ofMillis(100), listener);
            }
        }
    }

    /** Sorted latencies of checkpoints {@code from … to-1}. */
    private static long[] phase(ConcurrentMap<String, Long> latencies, int from, int to) {
        return latencies.entrySet().stream()
                .filter(e -> checkpointOf(e.getKey()) >= from && checkpointOf(e.getKey()) < to)
                .mapToLong(e -> e.getValue())
                .sorted()
                .toArray();
    }

    private static void awaitReports(
            ConcurrentMap<String, Long> arrivals, int count, Duration patience)
            throws InterruptedException {
        long deadline = System.nanoTime() + patience.toNanos();
        while (arrivals.size() < count && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
    }

    private static double percentile(long[] sorted, double q) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)];
    }

    /** Resident set size of this process in MB from /proc, or NaN where there is none. */
    public static double residentMegabytes() {
        try {
            for (String line :
                    java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("\\D", "")) / 1024.0;
                }
            }
        } catch (java.io.IOException | NumberFormatException e) {
            // not Linux
        }
        return Double.NaN;
    }
}
