package dev.headgeo.stream;

import dev.headgeo.analysis.Anchor;
import java.time.Duration;

/**
 * What the topology needs to know besides its topics.
 *
 * @param checkpointTimeout how long a started checkpoint may wait for its next layer
 * @param maxLayerBytes largest store entry (one layer, Avro binary) accepted; larger is TOO_LARGE
 * @param historySize closed checkpoints remembered per run (flip detection, LATE)
 * @param historyRetention how long a run's history is kept after its last report
 */
public record StreamSettings(Anchor primaryAnchor, Duration checkpointTimeout, int maxLayerBytes, int historySize,
                             Duration historyRetention) {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(10);
    public static final int DEFAULT_MAX_LAYER_BYTES = 512 * 1024;
    public static final int DEFAULT_HISTORY_SIZE = 256;
    public static final Duration DEFAULT_HISTORY_RETENTION = Duration.ofDays(7);

    public static StreamSettings defaults() {
        return new StreamSettings(Anchor.LAST, DEFAULT_TIMEOUT, DEFAULT_MAX_LAYER_BYTES, DEFAULT_HISTORY_SIZE,
                DEFAULT_HISTORY_RETENTION);
    }

    /** The same with another checkpoint time-out. */
    public StreamSettings withCheckpointTimeout(Duration timeout) {
        return new StreamSettings(primaryAnchor, timeout, maxLayerBytes, historySize, historyRetention);
    }

    /** How often quiet runs' histories are looked for: a tenth of the retention, between 1 s and 1 h. */
    public Duration historySweepInterval() {
        long ms = Math.max(1_000, Math.min(3_600_000, historyRetention.toMillis() / 10));
        return Duration.ofMillis(ms);
    }

    /** How often the time-out punctuator looks: a tenth of the time-out, between 100 ms and 30 s. */
    public Duration punctuationInterval() {
        long ms = Math.max(100, Math.min(30_000, checkpointTimeout.toMillis() / 10));
        return Duration.ofMillis(ms);
    }
}
