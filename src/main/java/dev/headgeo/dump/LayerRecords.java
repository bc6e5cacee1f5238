package dev.headgeo.dump;

import dev.headgeo.avro.LayerGeometry;
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
            List<List<Double>> heads = new ArrayList<>(dump.numHeads());
            for (double[] s : dump.singularValues()[l]) {
                heads.add(boxed(s));
            }
            out.add(LayerGeometry.newBuilder()
                    .setRunId(runId)
                    .setCheckpoint(checkpoint)
                    .setLayer(l)
                    .setNumLayers(dump.numLayers())
                    .setNumHeads(dump.numHeads())
                    .setMetricSingvalsPerHead(heads)
                    .setMeanAttentionEntropyPerHead(boxed(dump.entropy()[l]))
                    .setModel(model)
                    .setEmittedAt(emittedAt)
                    .build());
        }
        return out;
    }

    private static List<Double> boxed(double[] values) {
        List<Double> out = new ArrayList<>(values.length);
        for (double v : values) {
            out.add(v);
        }
        return out;
    }
}
