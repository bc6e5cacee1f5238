package dev.headgeo.dump;

import dev.headgeo.avro.LayerGeometry;
import dev.headgeo.wire.LayerArrays;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Splits a dump into the layer records a training job publishes, one per layer. */
public final class LayerRecords {
    private LayerRecords() {
    }

    public static List<LayerGeometry> split(Dump dump, String runId, long checkpoint, String model, Instant emittedAt) {
        List<LayerGeometry> out = new ArrayList<>(dump.numLayers());
        for (int l = 0; l < dump.numLayers(); l++) {
            out.add(LayerArrays.toRecord(runId, checkpoint, l, dump.numLayers(), dump.singularValues()[l], dump.entropy()[l],
                    model, emittedAt));
        }
        return out;
    }
}
