package dev.headgeo.stream;

import dev.headgeo.analysis.Anchor;
import java.time.Duration;

/**
 * What the topology needs to know besides its topics.
 *
 * @param checkpointTimeout how long a started checkpoint may wait for its next layer
 * @param maxLayerBytes largest store entry (one layer, Avro binary) accepted; larger is TOO_LARGE
 * @param historySize closed checkpoints remembered per run (flip detection, LATE)
 */
public record StreamSettings(Anchor primaryAnchor, Duration checkpointTimeout, int maxLayerBytes, int historySize) {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(10);
    public static final int DEFAULT_MAX_LAYER_BYTES = 512 * 1024;
    public static final int DEFAULT_HISTORY_SIZE = 256;

    public static StreamSettings defaults() {
        return new StreamSettings(Anchor.LAST, DEFAULT_TIMEOUT, DEFAULT_MAX_LAYER_BYTES, DEFAULT_HISTORY_SIZE);
    }

    /** How often the time-out punctuator looks: a tenth of the time-out, between 100 ms and 30 s. */
    public Duration punctuationInterval() {
        long ms = Math.max(100, Math.min(30_000, checkpointTimeout.toMillis() / 10));
        return Duration.ofMillis(ms);
    }
}
