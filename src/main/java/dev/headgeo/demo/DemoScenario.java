package dev.headgeo.demo;

import dev.headgeo.avro.Alert;
import dev.headgeo.avro.AlertType;
import dev.headgeo.avro.CheckpointReport;
import dev.headgeo.avro.LayerGeometry;
import dev.headgeo.client.LayerPublisher;
import dev.headgeo.client.OutputFollower;
import dev.headgeo.console.ConsoleView;
import dev.headgeo.dump.Dump;
import dev.headgeo.dump.LayerRecords;
import dev.headgeo.dump.SyntheticDumps;
import dev.headgeo.wire.HeadgeoTopics;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The demo's simulated training run: checkpoints whose geometry drifts (the rescale fits well, then
 * worse, then badly, then well again), so the verdict flips, and one checkpoint whose last layers
 * never come, so it times out. Publishes layer by layer in shuffled order while following the
 * processor's reports and alerts.
 */
public final class DemoScenario {
    public static final int LAYERS = 12;
    public static final int HEADS = 8;
    public static final int RANK = 32;

    /** One simulated checkpoint: its step, how noisy its spectra are, how many layers it sends. */
    public record Step(long checkpoint, double noise, int layersSent) {}

    public static final List<Step> STEPS =
            List.of(
                    new Step(1000, 0.03, LAYERS),
                    new Step(2000, 0.05, LAYERS),
                    new Step(3000, 0.15, LAYERS),
                    new Step(4000, 0.20, 8),
                    new Step(5000, 0.45, LAYERS),
                    new Step(6000, 0.04, LAYERS));

    /** The verdict flips the steps cause: S→P, P→R, R→S (the incomplete checkpoint is skipped). */
    public static final int EXPECTED_FLIPS = 3;

    /** The one checkpoint whose last layers never come. */
    public static final int EXPECTED_INCOMPLETE = 1;

    /** What the processor published for the run while the scenario ran. */
    public record Result(
            String runId, List<Dump> dumps, List<CheckpointReport> reports, List<Alert> alerts) {
        public long count(AlertType type) {
            return alerts.stream().filter(a -> a.getType() == type).count();
        }

        /** One report per step and exactly the expected alerts. */
        public boolean asExpected() {
            return reports.size() == STEPS.size()
                    && count(AlertType.VERDICT_FLIP) == EXPECTED_FLIPS
                    && count(AlertType.INCOMPLETE_CHECKPOINT) == EXPECTED_INCOMPLETE;
        }
    }

    private final Properties client;
    private final HeadgeoTopics topics;
    private final ConsoleView view;
    private final Duration layerInterval;

    public DemoScenario(
            Properties client, HeadgeoTopics topics, ConsoleView view, Duration layerInterval) {
        this.client = client;
        this.topics = topics;
        this.view = view;
        this.layerInterval = layerInterval;
    }

    /**
     * Publishes the run and waits (at most {@code patience}) for every report and alert it should
     * cause.
     */
    public Result run(String runId, Duration patience) throws InterruptedException {
        List<CheckpointReport> reports = new CopyOnWriteArrayList<>();
        List<Alert> alerts = new CopyOnWriteArrayList<>();
        List<Dump> dumps = new ArrayList<>();
        try (OutputFollower follower = new OutputFollower(client, topics, false);
                LayerPublisher publisher = new LayerPublisher(client, topics.layers())) {
            OutputFollower.Listener listener =
                    new OutputFollower.Listener() {
                        @Override
                        public void report(CheckpointReport r) {
                            if (r.getRunId().equals(runId)) {
                                reports.add(r);
                                view.report(r);
                            }
                        }

                        @Override
                        public void alert(Alert a) {
                            if (a.getRunId().equals(runId)) {
                                alerts.add(a);
                                view.alert(a);
                            }
                        }
                    };
            view.header();
            Random random = new Random(runId.hashCode());
            for (Step step : STEPS) {
                Dump dump =
                        SyntheticDumps.generate(
                                LAYERS, HEADS, RANK, step.noise(), step.checkpoint());
                dumps.add(dump);
                List<LayerGeometry> layers =
                        new ArrayList<>(
                                LayerRecords.split(
                                        dump,
                                        runId,
                                        step.checkpoint(),
                                        "demo-transformer",
                                        Instant.now(),
                                        java.util.Map.of("owner", "demo", "lr", "3e-4")));
                Collections.shuffle(layers, random);
                for (int i = 0; i < step.layersSent(); i++) {
                    publisher.send(layers.get(i));
                    follower.poll(layerInterval, listener);
                }
                view.progress(progressLine(step));
            }
            long deadline = System.nanoTime() + patience.toNanos();
            while (System.nanoTime() < deadline
                    && !new Result(runId, dumps, reports, alerts).asExpected()) {
                follower.poll(Duration.ofMillis(200), listener);
            }
        }
        return new Result(runId, dumps, List.copyOf(reports), List.copyOf(alerts));
    }

    private static String progressLine(Step step) {
        String bar = "█".repeat(step.layersSent()) + "░".repeat(LAYERS - step.layersSent());
        String note =
                step.layersSent() < LAYERS
                        ? "  (the rest never comes: this checkpoint will time out)"
                        : "";
        return String.format(
                "   … checkpoint %d: sent %2d/%d layers ▕%s▏%s",
                step.checkpoint(), step.layersSent(), LAYERS, bar, note);
    }
}
