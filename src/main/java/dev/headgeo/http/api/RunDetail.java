package dev.headgeo.http.api;

import dev.headgeo.avro.Alert;
import dev.headgeo.avro.Anchor;
import dev.headgeo.avro.CheckpointSummary;
import dev.headgeo.avro.Forecast;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /api/runs/{run}}: every kept checkpoint summary, open checkpoints, recent alerts and
 * the forecast.
 */
public record RunDetail(
        String runId,
        @Nullable Anchor primaryAnchor,
        @Nullable String model,
        Map<String, String> tags,
        List<OpenCheckpointView> openCheckpoints,
        List<CheckpointSummary> checkpoints,
        List<Alert> alerts,
        @Nullable Forecast forecast) {}
