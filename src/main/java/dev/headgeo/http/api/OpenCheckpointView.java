package dev.headgeo.http.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/** A checkpoint whose layers are still arriving; on a run's page also the layers it still lacks. */
public record OpenCheckpointView(
        long checkpoint,
        int receivedLayers,
        int numLayers,
        long firstLayerAt,
        long lastLayerAt,
        @JsonInclude(JsonInclude.Include.NON_NULL) List<Integer> missingLayers) {}
