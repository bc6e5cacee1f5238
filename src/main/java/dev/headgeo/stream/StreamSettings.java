package dev.headgeo.stream;

import dev.headgeo.analysis.Anchor;
import dev.headgeo.util.Durations;
import java.time.Duration;

/**
 * What the topology needs to know besides its topics. The defaults are written once, as text, for
 * both the command line's help and {@link #defaults()}.
 *
 * @param checkpointTimeout how long a started checkpoint may wait for its next layer
 * @param maxLayerBytes largest layer record accepted, in bytes as received; larger is TOO_LARGE
 * @param maxOpenLayerBytes the layers of open checkpoints held at once by all tasks of an instance,
 *     in bytes as stored; beyond it the longest-quiet open checkpoint is closed early as incomplete
 * @param historySize closed checkpoints remembered per run (flip detection, LATE)
 * @param keptReports full reports kept per run for the API, the dashboard and export (the newest);
 *     about {@code 24 × layers × heads × 3} bytes each (per-head maps of three anchors) plus 1 KiB
 * @param historyRetention how long a run's history is kept after its last report
 * @param alerts flip control and forecasting
 * @param limits shape limits of a layer record
 */
public record StreamSettings(
        Anchor primaryAnchor,
        Duration checkpointTimeout,
        int maxLayerBytes,
        long maxOpenLayerBytes,
        int historySize,
        int keptReports,
        Duration historyRetention,
        AlertSettings alerts,
        LayerLimits limits) {
    public static final String DEFAULT_PRIMARY_ANCHOR = "LAST";
    public static final String DEFAULT_CHECKPOINT_TIMEOUT = "10m";
    public static final String DEFAULT_MAX_LAYER_BYTES = "524288";

    /**
     * 128 MiB: a hundred open 32×32×128 checkpoints, two dozen of 80×64×128; fits a 384 MB heap.
     */
    public static final String DEFAULT_MAX_OPEN_LAYER_BYTES = "134217728";

    public static final String DEFAULT_HISTORY_SIZE = "256";
    public static final String DEFAULT_KEPT_REPORTS = "16";
    public static final String DEFAULT_HISTORY_RETENTION = "7d";

    public static StreamSettings defaults() {
        return new StreamSettings(
                Anchor.valueOf(DEFAULT_PRIMARY_ANCHOR),
                Durations.parse(DEFAULT_CHECKPOINT_TIMEOUT),
                Integer.parseInt(DEFAULT_MAX_LAYER_BYTES),
                Long.parseLong(DEFAULT_MAX_OPEN_LAYER_BYTES),
                Integer.parseInt(DEFAULT_HISTORY_SIZE),
                Integer.parseInt(DEFAULT_KEPT_REPORTS),
                Durations.parse(DEFAULT_HISTORY_RETENTION),
                AlertSettings.defaults(),
                LayerLimits.defaults());
    }

    /** The same with another checkpoint time-out. */
    public StreamSettings withCheckpointTimeout(Duration timeout) {
        return new StreamSettings(
                primaryAnchor,
                timeout,
                maxLayerBytes,
                maxOpenLayerBytes,
                historySize,
                keptReports,
                historyRetention,
                alerts,
                limits);
    }

    /** The same with other alert settings. */
    public StreamSettings withAlerts(AlertSettings alertSettings) {
        return new StreamSettings(
                primaryAnchor,
                checkpointTimeout,
                maxLayerBytes,
                maxOpenLayerBytes,
                historySize,
                keptReports,
                historyRetention,
                alertSettings,
                limits);
    }

    /** The same with other shape limits. */
    public StreamSettings withLimits(LayerLimits layerLimits) {
        return new StreamSettings(
                primaryAnchor,
                checkpointTimeout,
                maxLayerBytes,
                maxOpenLayerBytes,
                historySize,
                keptReports,
                historyRetention,
                alerts,
                layerLimits);
    }

    /** The same with another size limit. */
    public StreamSettings withMaxLayerBytes(int bytes) {
        return new StreamSettings(
                primaryAnchor,
                checkpointTimeout,
                bytes,
                maxOpenLayerBytes,
                historySize,
                keptReports,
                historyRetention,
                alerts,
                limits);
    }

    /** The same with another budget for open checkpoints' layers. */
    public StreamSettings withMaxOpenLayerBytes(long bytes) {
        return new StreamSettings(
                primaryAnchor,
                checkpointTimeout,
                maxLayerBytes,
                bytes,
                historySize,
                keptReports,
                historyRetention,
                alerts,
                limits);
    }

    /** The same with another history size and retention. */
    public StreamSettings withHistory(int size, Duration retention) {
        return new StreamSettings(
                primaryAnchor,
                checkpointTimeout,
                maxLayerBytes,
                maxOpenLayerBytes,
                size,
                keptReports,
                retention,
                alerts,
                limits);
    }

    /** The same with another number of full reports kept per run. */
    public StreamSettings withKeptReports(int reports) {
        return new StreamSettings(
                primaryAnchor,
                checkpointTimeout,
                maxLayerBytes,
                maxOpenLayerBytes,
                historySize,
                reports,
                historyRetention,
                alerts,
                limits);
    }

    /**
     * How often quiet runs' histories are looked for: a tenth of the retention, between 1 s and 1
     * h.
     */
    public Duration historySweepInterval() {
        long ms = Math.max(1_000, Math.min(3_600_000, historyRetention.toMillis() / 10));
        return Duration.ofMillis(ms);
    }

    /**
     * How often the time-out punctuator looks: a tenth of the time-out, between 100 ms and 30 s.
     */
    public Duration punctuationInterval() {
        long ms = Math.max(100, Math.min(30_000, checkpointTimeout.toMillis() / 10));
        return Duration.ofMillis(ms);
    }
}
