package dev.headgeo.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.headgeo.app.ProcessorApp;
import dev.headgeo.bench.Baseline;
import dev.headgeo.bench.LoadTest;
import dev.headgeo.kafka.EmbeddedKafka;
import dev.headgeo.stream.HeadgeoStreamsConfig;
import dev.headgeo.stream.StreamSettings;
import dev.headgeo.util.Directories;
import dev.headgeo.wire.HeadgeoTopics;
import dev.headgeo.wire.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
        name = "loadtest",
        mixinStandardHelpOptions = true,
        description = {
            "Load through Kafka: generated checkpoints at a steady rate, then a burst; reports read"
                    + " back read_committed.",
            "Without --bootstrap-servers, an embedded broker and a processor run in this JVM."
                    + " Prints one JSON line."
        })
final class LoadTestCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Mixin ConfigFileOption configFile;

    @Option(
            names = "--bootstrap-servers",
            description =
                    "A cluster where headgeo run already processes headgeo.layers (default:"
                            + " embedded broker and processor).")
    String bootstrapServers;

    @Option(names = "--layers", defaultValue = "32", description = "(default: ${DEFAULT-VALUE})")
    int layers;

    @Option(names = "--heads", defaultValue = "32", description = "(default: ${DEFAULT-VALUE})")
    int heads;

    @Option(
            names = "--rank",
            defaultValue = "128",
            description = "Singular values per head (default: ${DEFAULT-VALUE}).")
    int rank;

    @Option(
            names = "--runs",
            defaultValue = "4",
            description = "Runs the checkpoints are spread over (default: ${DEFAULT-VALUE}).")
    int runs;

    @Option(
            names = "--rate",
            defaultValue = "20",
            description = "Checkpoints per second in the steady phase (default: ${DEFAULT-VALUE}).")
    double rate;

    @Option(
            names = "--warmup",
            defaultValue = "30s",
            description = {
                "Steady sending before the measured steady phase, not in its latencies (default:"
                        + " ${DEFAULT-VALUE}).",
                "Fresh JVMs compile for their first tens of seconds: on 2 cores the backlog that"
                        + " builds meanwhile took 15 s to drain."
            })
    Duration warmup;

    @Option(
            names = "--steady",
            defaultValue = "20s",
            description = "Length of the measured steady phase (default: ${DEFAULT-VALUE}).")
    Duration steady;

    @Option(
            names = "--burst",
            defaultValue = "300",
            description = "Checkpoints sent at once after it (default: ${DEFAULT-VALUE}).")
    int burst;

    @Option(
            names = "--baseline",
            description = {
                "Then move the burst's records through a pass-through Kafka Streams application"
                        + " with the",
                "same settings (exactly-once, partitions) on two temporary topics, and report its"
                        + " figures and ratio_to_baseline."
            })
    boolean baseline;

    @Option(
            names = "--patience",
            defaultValue = "5m",
            description = "How long to wait for the reports (default: ${DEFAULT-VALUE}).")
    Duration patience;

    @Override
    public Integer call() throws InterruptedException {
        Checks.positive("--layers", layers);
        Checks.positive("--heads", heads);
        Checks.positive("--rank", rank);
        Checks.positive("--runs", runs);
        Checks.nonNegative("--rate", rate);
        HeadgeoTopics topics = HeadgeoTopics.defaults();
        LoadTest.Plan plan =
                new LoadTest.Plan(layers, heads, rank, runs, rate, warmup, steady, burst);
        EmbeddedKafka kafka = null;
        ProcessorApp app = null;
        Path stateDir = null;
        try {
            String bootstrap = bootstrapServers;
            if (bootstrap == null) {
                kafka = EmbeddedKafka.start();
                bootstrap = kafka.bootstrapServers();
                stateDir = Files.createTempDirectory("headgeo-loadtest-");
                Properties config =
                        HeadgeoStreamsConfig.of(
                                bootstrap,
                                "headgeo-loadtest",
                                stateDir.toString(),
                                topics,
                                Map.of());
                app =
                        ProcessorApp.start(
                                config,
                                topics,
                                StreamSettings.defaults().withMaxLayerBytes(4 * 1024 * 1024),
                                true,
                                null,
                                null);
                if (!app.awaitRunning(Duration.ofSeconds(60))) {
                    throw new Failure("the embedded processor did not start within 60 s");
                }
            }
            Properties client = new Properties();
            client.put("bootstrap.servers", bootstrap);
            Properties streamsConfig =
                    HeadgeoStreamsConfig.of(bootstrap, "unused", null, topics, Map.of());
            if (kafka == null) {
                try {
                    // an unreachable or wrong cluster is one line within seconds, as for the other
                    // commands
                    dev.headgeo.client.KafkaCheck.check(client, topics.names());
                } catch (IllegalStateException | org.apache.kafka.common.KafkaException e) {
                    throw new UserError(e.getMessage());
                }
            }
            LoadTest.Result r = new LoadTest(client, topics).run(plan, patience);
            var line =
                    Json.MAPPER
                            .createObjectNode()
                            .put("layers", layers)
                            .put("heads", heads)
                            .put("rank", rank)
                            .put("runs", runs)
                            .put("steady_rate", rate)
                            .put("warmup_s", warmup.toMillis() / 1000.0)
                            .put("steady_s", steady.toMillis() / 1000.0)
                            .put("sent", r.sent())
                            .put("received", r.received())
                            .put("burst_checkpoints_per_s", round(r.burstCheckpointsPerSecond()))
                            .put("burst_mb_per_s", round(r.burstMegabytesPerSecond()))
                            .put("checkpoint_bytes", r.layerBytes());
            latency(line, "steady", r.steady());
            latency(line, "burst", r.burst());
            if (baseline) {
                Baseline.Result b =
                        Baseline.run(
                                streamsConfig,
                                client,
                                topics.layers().name(),
                                r.burstRecords(),
                                patience);
                line.putObject("baseline")
                        .put(
                                "what",
                                "pass-through Kafka Streams, exactly-once, same partitions and"
                                        + " records")
                        .put("checkpoints", b.checkpoints())
                        .put("records", b.records())
                        .put("checkpoints_per_s", round(b.checkpointsPerSecond()))
                        .put("mb_per_s", round(b.megabytesPerSecond()));
                line.put(
                        "ratio_to_baseline",
                        Math.round(r.burstCheckpointsPerSecond() / b.checkpointsPerSecond() * 1000)
                                / 1000.0);
            }
            if (app != null) {
                line.put("jvm", "broker, processor and load generator in this JVM")
                        .put(
                                "heap_used_mb",
                                round(
                                        ManagementFactory.getMemoryMXBean()
                                                        .getHeapMemoryUsage()
                                                        .getUsed()
                                                / 1e6))
                        .put("rss_mb", round(LoadTest.residentMegabytes()));
            }
            spec.commandLine().getOut().println(line);
            spec.commandLine().getOut().flush();
            return r.received() == r.sent() ? 0 : 1;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            if (app != null) {
                app.close();
            }
            if (kafka != null) {
                kafka.close();
            }
            Directories.deleteRecursively(stateDir);
        }
    }

    /** A phase's percentiles; null where the phase had no reports. */
    private static void latency(ObjectNode line, String phase, LoadTest.Latency l) {
        double[] values = {l.p50Ms(), l.p99Ms(), l.maxMs()};
        String[] names = {"p50", "p99", "max"};
        for (int i = 0; i < values.length; i++) {
            String field = phase + "_latency_" + names[i] + "_ms";
            if (Double.isNaN(values[i])) {
                line.putNull(field);
            } else {
                line.put(field, values[i]);
            }
        }
    }

    private static double round(double x) {
        return Math.round(x * 10) / 10.0;
    }
}
