package dev.headgeo.demo;

import dev.headgeo.app.ProcessorApp;
import dev.headgeo.client.KafkaCheck;
import dev.headgeo.console.ConsoleView;
import dev.headgeo.http.HttpAddress;
import dev.headgeo.kafka.EmbeddedKafka;
import dev.headgeo.stream.HeadgeoStreamsConfig;
import dev.headgeo.stream.StreamSettings;
import dev.headgeo.util.Directories;
import dev.headgeo.wire.HeadgeoTopics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The broker (embedded unless a cluster is given) and the processor, torn down in reverse order.
 */
public final class DemoEnvironment implements AutoCloseable {
    private final EmbeddedKafka kafka;
    private final ProcessorApp app;
    private final Path stateDir;
    private final String bootstrap;
    private final AtomicBoolean closed = new AtomicBoolean();

    private DemoEnvironment(
            EmbeddedKafka kafka, ProcessorApp app, Path stateDir, String bootstrap) {
        this.kafka = kafka;
        this.app = app;
        this.stateDir = stateDir;
        this.bootstrap = bootstrap;
    }

    /**
     * @param httpAddress where the processor serves its dashboard; null for none
     * @throws IllegalStateException with one line when the broker, Kafka or the HTTP address
     *     refuses
     */
    public static DemoEnvironment start(
            String bootstrapServers,
            Duration checkpointTimeout,
            ConsoleView view,
            boolean withProcessor,
            HttpAddress httpAddress)
            throws InterruptedException {
        return start(
                bootstrapServers,
                checkpointTimeout,
                view,
                withProcessor,
                httpAddress,
                partial -> {});
    }

    /**
     * The same, handing {@code startedSoFar} what runs at each step (the broker, then its state
     * directory too), so that a stop while it starts (Ctrl-C, SIGTERM) can close those and remove
     * their files.
     */
    public static DemoEnvironment start(
            String bootstrapServers,
            Duration checkpointTimeout,
            ConsoleView view,
            boolean withProcessor,
            HttpAddress httpAddress,
            java.util.function.Consumer<DemoEnvironment> startedSoFar)
            throws InterruptedException {
        EmbeddedKafka kafka = null;
        String bootstrap = bootstrapServers;
        if (bootstrap == null) {
            view.progress("starting an embedded Kafka broker (KRaft) …");
            long t0 = System.nanoTime();
            kafka = EmbeddedKafka.start();
            bootstrap = kafka.bootstrapServers();
            startedSoFar.accept(new DemoEnvironment(kafka, null, null, bootstrap));
            view.progress(
                    String.format(
                            "Kafka up at %s in %.1f s", bootstrap, (System.nanoTime() - t0) / 1e9));
        }
        if (bootstrapServers != null) {
            Properties client = new Properties();
            client.put("bootstrap.servers", bootstrapServers);
            KafkaCheck.check(client, List.of());
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
        startedSoFar.accept(new DemoEnvironment(kafka, null, stateDir, bootstrap));
        HeadgeoTopics topics = HeadgeoTopics.defaults();
        Properties config =
                HeadgeoStreamsConfig.of(
                        bootstrap,
                        "headgeo-demo-" + UUID.randomUUID(),
                        stateDir.toString(),
                        topics,
                        Map.of("commit.interval.ms", "100"));
        ProcessorApp app = null;
        try {
            app =
                    ProcessorApp.start(
                            config,
                            topics,
                            StreamSettings.defaults().withCheckpointTimeout(checkpointTimeout),
                            true,
                            httpAddress,
                            null);
            if (app.httpUrl() != null) {
                view.progress("dashboard: " + app.httpUrl());
            }
            if (!app.awaitRunning(Duration.ofSeconds(60))) {
                throw new IllegalStateException("the processor did not start within 60 s");
            }
        } catch (RuntimeException e) {
            new DemoEnvironment(kafka, app, stateDir, bootstrap).close();
            throw new IllegalStateException(e.getMessage());
        }
        view.progress(
                "processor running (exactly-once, checkpoint time-out "
                        + checkpointTimeout.toMillis() / 1000.0
                        + " s)");
        return new DemoEnvironment(kafka, app, stateDir, bootstrap);
    }

    /** The dashboard's URL, or null. */
    public String dashboardUrl() {
        return app == null ? null : app.httpUrl();
    }

    public String bootstrap() {
        return bootstrap;
    }

    public Properties client() {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        return p;
    }

    /**
     * Idempotent: called by the command when the scenario ends, or by the shutdown hook on Ctrl-C.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (app != null) {
            app.close();
        }
        if (kafka != null) {
            kafka.close();
        }
        Directories.deleteRecursively(stateDir);
    }
}
