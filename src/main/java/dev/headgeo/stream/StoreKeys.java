package dev.headgeo.stream;

/**
 * Keys of the gathering stores: {@code run_id NUL checkpoint} for a checkpoint, and
 * {@code run_id NUL checkpoint NUL layer} for one of its layers, numbers zero-padded so that a
 * checkpoint's layers are one contiguous, ordered prefix range. run_id may not contain NUL.
 */
final class StoreKeys {
    static final char SEPARATOR = '\u0000';

    private StoreKeys() {
    }

    static String checkpoint(String runId, long checkpoint) {
        return runId + SEPARATOR + String.format("%020d", checkpoint);
    }

    static String layer(String checkpointKey, int layer) {
        return layerPrefix(checkpointKey) + String.format("%010d", layer);
    }

    static String layerPrefix(String checkpointKey) {
        return checkpointKey + SEPARATOR;
    }

    static int layerOf(String layerKey) {
        return Integer.parseInt(layerKey.substring(layerKey.lastIndexOf(SEPARATOR) + 1));
    }
}
