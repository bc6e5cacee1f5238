package dev.headgeo.cli;

import dev.headgeo.avro.AlertType;
import dev.headgeo.console.ConsoleView;
import dev.headgeo.demo.DemoEnvironment;
import dev.headgeo.demo.DemoScenario;
import dev.headgeo.http.HttpAddress;
import dev.headgeo.wire.HeadgeoTopics;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description =
                "Embedded Kafka, the processor and a simulated training run whose verdict flips and"
                        + " which leaves one checkpoint incomplete, shown live.")
final class DemoCommand implements Callable<Integer> {
    @Mixin ConfigFileOption configFile;

    @Spec CommandSpec spec;

    @Option(
            names = "--bootstrap-servers",
            description = "Use this Kafka cluster instead of an embedded broker.")
    String bootstrapServers;

    @Option(
            names = "--simulate-only",
            description =
                    "Only the simulated training run (with --bootstrap-servers): a headgeo"
                            + " processor must already run there.")
    boolean simulateOnly;

    @Option(
            names = "--keep-running",
            description = "After the scenario, keep the broker and processor up (Ctrl-C stops).")
    boolean keepRunning;

    @Option(
            names = "--layer-interval",
            defaultValue = "150ms",
            description = "Pause between layer records (default: ${DEFAULT-VALUE}).")
    Duration layerInterval;

    @Option(
            names = "--checkpoint-timeout",
            defaultValue = "5s",
            description =
                    "The processor's time-out for stalled checkpoints (default: ${DEFAULT-VALUE}).")
    Duration checkpointTimeout;

    static final String DEFAULT_HTTP_ADDRESS = "127.0.0.1:8080";

    @Option(
            names = "--http-address",
            defaultValue = DEFAULT_HTTP_ADDRESS,
            description =
                    "HOST:PORT of the processor's dashboard, API and metrics; port 0 for any free"
                            + " one; none for no server (default: ${DEFAULT-VALUE}).")
    String httpAddress;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        ConsoleView view = new ConsoleView(out, ConsoleView.terminal());
        // The processor's per-report log lines would interleave with the live view.
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("dev.headgeo.stream"))
                .setLevel(ch.qos.logback.classic.Level.WARN);
        Duration timeout = Checks.positive("--checkpoint-timeout", checkpointTimeout);
        if (simulateOnly && bootstrapServers == null) {
            throw new UserError(
                    "--simulate-only needs --bootstrap-servers of a cluster where headgeo runs");
        }
        // a taken HTTP port is found before Kafka starts, not 25 s later
        HttpAddress http;
        try {
            http = HttpAddress.parse(httpAddress);
        } catch (IllegalArgumentException e) {
            throw new UserError("--http-address " + e.getMessage());
        }
        if (http != null && !simulateOnly && http.port() != 0) {
            try (java.net.ServerSocket probe = new java.net.ServerSocket()) {
                probe.setReuseAddress(true);
                probe.bind(new java.net.InetSocketAddress(http.host(), http.port()));
            } catch (java.io.IOException e) {
                boolean chosen =
                        spec.commandLine().getParseResult().hasMatchedOption("--http-address")
                                || !DEFAULT_HTTP_ADDRESS.equals(httpAddress);
                if (chosen) {
                    throw new UserError(
                            "cannot serve HTTP on "
                                    + http.host()
                                    + ":"
                                    + http.port()
                                    + ": "
                                    + e.getMessage()
                                    + " (choose another with --http-address, or port 0 for any free"
                                    + " one)");
                }
                // the demo should just work where another demo or a local service has the default
                // port
                view.progress(
                        "port "
                                + http.port()
                                + " is taken; the dashboard gets a free port (its address"
                                + " follows)");
                http = new HttpAddress(http.host(), 0);
            }
        }
        // Ctrl-C at any point, also while the broker and the processor start: stop what runs and
        // remove their files
        java.util.concurrent.atomic.AtomicReference<DemoEnvironment> running =
                new java.util.concurrent.atomic.AtomicReference<>();
        Runtime.getRuntime()
                .addShutdownHook(
                        new Thread(
                                () -> {
                                    boolean bySignal = CleanStop.bySignal();
                                    // the clients' complaints about the broker going away while
                                    // everything stops are not news
                                    ((ch.qos.logback.classic.Logger)
                                                    org.slf4j.LoggerFactory.getLogger(
                                                            "org.apache.kafka"))
                                            .setLevel(ch.qos.logback.classic.Level.OFF);
                                    DemoEnvironment env = running.get();
                                    if (env != null) {
                                        env.close();
                                    }
                                    CleanStop.exitZeroIf(bySignal);
                                },
                                "demo-shutdown"));
        DemoEnvironment started;
        try {
            started =
                    DemoEnvironment.start(
                            bootstrapServers, timeout, view, !simulateOnly, http, running::set);
        } catch (IllegalStateException | IllegalArgumentException e) {
            throw new UserError(e.getMessage());
        }
        running.set(started);
        try (DemoEnvironment env = started) {
            DemoScenario scenario =
                    new DemoScenario(env.client(), HeadgeoTopics.defaults(), view, layerInterval);
            String runId = "demo-" + UUID.randomUUID().toString().substring(0, 8);
            view.progress(
                    "simulated training run "
                            + runId
                            + ": "
                            + DemoScenario.STEPS.size()
                            + " checkpoints, "
                            + DemoScenario.LAYERS
                            + " layers × "
                            + DemoScenario.HEADS
                            + " heads, rank "
                            + DemoScenario.RANK);
            DemoScenario.Result result =
                    scenario.run(runId, timeout.multipliedBy(3).plusSeconds(30));
            view.progress(
                    String.format(
                            "done: %d reports, %d verdict flips, %d incomplete checkpoint(s)",
                            result.reports().size(),
                            result.count(AlertType.VERDICT_FLIP),
                            result.count(AlertType.INCOMPLETE_CHECKPOINT)));
            if (keepRunning) {
                view.progress(
                        "still running; Kafka at "
                                + env.bootstrap()
                                + (env.dashboardUrl() == null
                                        ? ""
                                        : ", dashboard at " + env.dashboardUrl())
                                + " (try: java -jar target/headgeo.jar watch --bootstrap-servers "
                                + env.bootstrap()
                                + " --from-beginning); Ctrl-C stops");
                new CountDownLatch(1).await();
            }
            if (!result.asExpected()) {
                throw new Failure(
                        String.format(
                                "the scenario expected %d reports, %d verdict flips and %d"
                                    + " incomplete checkpoint(s) and saw %d, %d and %d within %d"
                                    + " s%s",
                                DemoScenario.STEPS.size(),
                                DemoScenario.EXPECTED_FLIPS,
                                DemoScenario.EXPECTED_INCOMPLETE,
                                result.reports().size(),
                                result.count(AlertType.VERDICT_FLIP),
                                result.count(AlertType.INCOMPLETE_CHECKPOINT),
                                timeout.multipliedBy(3).plusSeconds(30).toSeconds(),
                                simulateOnly
                                        ? " (is a processor running there, with"
                                              + " --checkpoint-timeout no longer than this demo's "
                                                + timeout.toSeconds()
                                                + " s?)"
                                        : ""));
            }
            return 0;
        }
    }
}
