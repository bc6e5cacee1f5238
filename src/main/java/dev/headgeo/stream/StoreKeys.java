package dev.headgeo.stream;

/**
 * Keys of the gathering stores: {@code run_id NUL checkpoint} for a checkpoint, and {@code run_id
 * NUL checkpoint NUL layer} for one of its layers, numbers zero-padded so that a checkpoint's
 * layers are one contiguous, ordered prefix range. run_id may not contain NUL.
 */
public final class StoreKeys {
    static final char SEPARATOR = '\u0000';

    private StoreKeys() {}

    public static String checkpoint(String runId, long checkpoint) {
        return runPrefix(runId) + String.format("%020d", checkpoint);
    }

    /** The prefix of every checkpoint key of a run, in checkpoint order. */
    public static String runPrefix(String runId) {
        return runId + SEPARATOR;
    }

    static String layer(String checkpointKey, int layer) {
        return layerPrefix(checkpointKey) + String.format("%010d", layer);
    }

    public static String layerPrefix(String checkpointKey) {
        return checkpointKey + SEPARATOR;
    }
}
