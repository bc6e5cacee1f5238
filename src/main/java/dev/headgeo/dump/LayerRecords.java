package dev.headgeo.dump;

import dev.headgeo.avro.LayerGeometry;
import dev.headgeo.wire.LayerArrays;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Splits a dump into the layer records a training job publishes, one per layer. */
public final class LayerRecords {
    private LayerRecords() {}

    /** Records without tags (written as layer records of version 1). */
    public static List<LayerGeometry> split(
            Dump dump, String runId, long checkpoint, String model, Instant emittedAt) {
        return split(dump, runId, checkpoint, model, emittedAt, Map.of());
    }

    /**
     * Records carrying the run's {@code tags} (run context: owner, learning rate, ...); none when
     * empty.
     */
    public static List<LayerGeometry> split(
            Dump dump,
            String runId,
            long checkpoint,
            String model,
            Instant emittedAt,
            Map<String, String> tags) {
        List<LayerGeometry> out = new ArrayList<>(dump.numLayers());
        for (int l = 0; l < dump.numLayers(); l++) {
            out.add(
                    LayerArrays.toRecord(
                            runId,
                            checkpoint,
                            l,
                            dump.numLayers(),
                            dump.singularValues()[l],
                            dump.entropy()[l],
                            model,
                            emittedAt,
                            tags));
        }
        return out;
    }
}
