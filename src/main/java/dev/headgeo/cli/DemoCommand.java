package dev.headgeo.cli;

import dev.headgeo.analysis.Anchor;
import dev.headgeo.avro.AlertType;
import dev.headgeo.kafka.EmbeddedKafka;
import dev.headgeo.stream.HeadgeoService;
import dev.headgeo.stream.HeadgeoStreamsConfig;
import dev.headgeo.stream.HeadgeoTopics;
import dev.headgeo.stream.StreamSettings;
import dev.headgeo.util.Directories;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Embedded single-node Kafka + the processor + a simulated training run whose verdict flips,",
            "with one checkpoint left incomplete; shows layers, reports and alerts live, then stops."})
final class DemoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--bootstrap-servers", description = "Use this Kafka cluster instead of an embedded broker.")
    String bootstrapServers;

    @Option(names = "--simulate-only", description = "Only the simulated training run (with --bootstrap-servers): a headgeo processor must already run there.")
    boolean simulateOnly;

    @Option(names = "--keep-running", description = "After the scenario, keep the broker and processor up (Ctrl-C stops).")
    boolean keepRunning;

    @Option(names = "--layer-interval", defaultValue = "150ms", description = "Pause between layer records (default: ${DEFAULT-VALUE}).")
    String layerInterval;

    @Option(names = "--checkpoint-timeout", defaultValue = "5s", description = "The processor's time-out for stalled checkpoints (default: ${DEFAULT-VALUE}).")
    String checkpointTimeout;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        ConsoleView view = new ConsoleView(out, ConsoleView.terminal());
        Duration interval = Durations.parseNonNegative("--layer-interval", layerInterval);
        // The processor's per-report log lines would interleave with the live view.
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("dev.headgeo.stream"))
                .setLevel(ch.qos.logback.classic.Level.WARN);
        Duration timeout = Durations.parse("--checkpoint-timeout", checkpointTimeout);
        if (simulateOnly && bootstrapServers == null) {
            throw new UserError("--simulate-only needs --bootstrap-servers of a cluster where headgeo runs");
        }
        try (DemoEnvironment env = DemoEnvironment.start(bootstrapServers, timeout, view, !simulateOnly)) {
            // Ctrl-C at any point: stop the processor and the broker and remove their files.
            Runtime.getRuntime().addShutdownHook(new Thread(env::close, "demo-shutdown"));
            DemoScenario scenario = new DemoScenario(env.client(), HeadgeoTopics.DEFAULT_LAYERS, HeadgeoTopics.DEFAULT_REPORTS,
                    HeadgeoTopics.DEFAULT_ALERTS, view, interval);
            String runId = "demo-" + UUID.randomUUID().toString().substring(0, 8);
            view.progress("simulated training run " + runId + ": " + DemoScenario.STEPS.size() + " checkpoints, "
                    + DemoScenario.LAYERS + " layers × " + DemoScenario.HEADS + " heads, rank " + DemoScenario.RANK);
            DemoScenario.Result result = scenario.run(runId, timeout.multipliedBy(3).plusSeconds(30));
            long flips = result.alerts().stream().filter(a -> a.getType() == AlertType.VERDICT_FLIP).count();
            long incomplete = result.alerts().stream().filter(a -> a.getType() == AlertType.INCOMPLETE_CHECKPOINT).count();
            view.progress(String.format("done: %d reports, %d verdict flips, %d incomplete checkpoint(s)",
                    result.reports().size(), flips, incomplete));
            if (keepRunning) {
                view.progress("still running; Kafka at " + env.bootstrap() + " (try: java -jar target/headgeo.jar watch --bootstrap-servers "
                        + env.bootstrap() + " --from-beginning); Ctrl-C stops");
                new CountDownLatch(1).await();
            }
            return result.reports().size() == DemoScenario.STEPS.size() && flips >= 1 && incomplete == 1 ? 0 : 1;
        }
    }

    /** The broker (embedded unless a cluster is given) and the processor, torn down in reverse order. */
    static final class DemoEnvironment implements AutoCloseable {
        private final EmbeddedKafka kafka;
        private final HeadgeoService service;
        private final Path stateDir;
        private final String bootstrap;
        private final AtomicBoolean closed = new AtomicBoolean();

        private DemoEnvironment(EmbeddedKafka kafka, HeadgeoService service, Path stateDir, String bootstrap) {
            this.kafka = kafka;
            this.service = service;
            this.stateDir = stateDir;
            this.bootstrap = bootstrap;
        }

        static DemoEnvironment start(String bootstrapServers, Duration checkpointTimeout, ConsoleView view, boolean withProcessor)
                throws InterruptedException {
            EmbeddedKafka kafka = null;
            String bootstrap = bootstrapServers;
            if (bootstrap == null) {
                view.progress("starting an embedded Kafka broker (KRaft) …");
                long t0 = System.nanoTime();
                kafka = EmbeddedKafka.start();
                bootstrap = kafka.bootstrapServers();
                view.progress(String.format("Kafka up at %s in %.1f s", bootstrap, (System.nanoTime() - t0) / 1e9));
            }
            if (!withProcessor) {
                return new DemoEnvironment(kafka, null, null, bootstrap);
            }
            Path stateDir;
            try {
                stateDir = Files.createTempDirectory("headgeo-demo-state-");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            HeadgeoTopics topics = HeadgeoTopics.defaults();
            Properties config = HeadgeoStreamsConfig.of(bootstrap, "headgeo-demo-" + UUID.randomUUID(), stateDir.toString(),
                    topics, Map.of("commit.interval.ms", "100"));
            HeadgeoService service;
            try {
                service = HeadgeoService.start(config, topics,
                        new StreamSettings(Anchor.LAST, checkpointTimeout, StreamSettings.DEFAULT_MAX_LAYER_BYTES, StreamSettings.DEFAULT_HISTORY_SIZE));
            } catch (RuntimeException e) {
                if (kafka != null) {
                    kafka.close();
                }
                throw new UserError(e.getMessage());
            }
            if (!service.awaitRunning(Duration.ofSeconds(60))) {
                service.close();
                if (kafka != null) {
                    kafka.close();
                }
                throw new UserError("the processor did not start within 60 s");
            }
            view.progress("processor running (exactly-once, checkpoint time-out " + checkpointTimeout.toMillis() / 1000.0 + " s)");
            return new DemoEnvironment(kafka, service, stateDir, bootstrap);
        }

        String bootstrap() {
            return bootstrap;
        }

        Properties client() {
            Properties p = new Properties();
            p.put("bootstrap.servers", bootstrap);
            return p;
        }

        /** Idempotent: called by the command when the scenario ends, or by the shutdown hook on Ctrl-C. */
        @Override
        public void close() {
            if (!closed.compareAndSet(false, true)) {
                return;
            }
            if (service != null) {
                service.close();
            }
            if (kafka != null) {
                kafka.close();
            }
            Directories.deleteRecursively(stateDir);
        }
    }
}
