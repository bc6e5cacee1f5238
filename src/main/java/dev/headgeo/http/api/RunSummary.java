package dev.headgeo.http.api;

import dev.headgeo.avro.Anchor;
import dev.headgeo.avro.ReportStatus;
import dev.headgeo.avro.Verdict;
import java.util.List;
import java.util.Map;

/**
 * One run in {@code /api/runs}: its latest checkpoint and the verdicts of its latest complete one.
 * A run whose first checkpoint is still gathering has only its id, tags and open checkpoints (the
 * rest null).
 */
public record RunSummary(
        String runId,
        @Nullable Long lastCheckpoint,
        @Nullable ReportStatus lastStatus,
        @Nullable Anchor primaryAnchor,
        @Nullable Verdict verdict,
        AnchorVerdicts verdicts,
        AnchorResiduals meanResiduals,
        @Nullable SummaryForecast forecast,
        int checkpoints,
        int flips,
        @Nullable Long lastReportAt,
        @Nullable String model,
        Map<String, String> tags,
        List<OpenCheckpointView> openCheckpoints) {

    /** The summary of a run none of whose checkpoints is closed yet. */
    public static RunSummary gathering(String runId, List<OpenCheckpointView> open) {
        return new RunSummary(
                runId,
                null,
                null,
                null,
                null,
                AnchorVerdicts.NONE,
                AnchorResiduals.NONE,
                null,
                0,
                0,
                null,
                null,
                Map.of(),
                open);
    }
}
