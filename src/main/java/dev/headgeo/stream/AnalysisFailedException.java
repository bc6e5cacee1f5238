package dev.headgeo.stream;

import java.util.List;

/**
 * The analysis of a complete checkpoint failed unexpectedly (a bug). Carries the checkpoint's
 * layers, so that the processing exception handler dead-letters every one of them as
 * PROCESSING_ERROR; the run gets an ANALYSIS_FAILED alert; no other checkpoint is affected.
 */
final class AnalysisFailedException extends RuntimeException {
    private final String runId;
    private final List<byte[]> layers;

    AnalysisFailedException(String runId, long checkpoint, List<byte[]> layers, RuntimeException cause) {
        super("analysis of checkpoint " + checkpoint + " of run " + runId + " failed: " + cause, cause);
        this.runId = runId;
        this.layers = layers;
    }

    String runId() {
        return runId;
    }

    List<byte[]> layers() {
        return layers;
    }
}
