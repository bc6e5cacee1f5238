package dev.headgeo.testing;

import dev.headgeo.avro.LayerGeometry;
import java.util.ArrayList;
import java.util.List;

/**
 * Layer records whose analysis has an exactly chosen mean residual, for tests of what happens at
 * given residuals.
 */
public final class ExactResidual {
    private ExactResidual() {}

    /**
     * Two layers of one head whose LAST-anchor mean residual is exactly {@code m} (0 ≤ m < 0.5):
     * the anchor's spectrum is (1, 0), layer 0's is (1, x), so its residual is x/√(1+x²) and the
     * mean over the two layers (the anchor's own residual is 0) is half of that.
     */
    public static List<LayerGeometry> layers(String run, long checkpoint, double m) {
        double x = 2 * m / Math.sqrt(1 - 4 * m * m);
        List<LayerGeometry> out = new ArrayList<>();
        out.add(
                LayerGeometry.newBuilder()
                        .setRunId(run)
                        .setCheckpoint(checkpoint)
                        .setLayer(0)
                        .setNumLayers(2)
                        .setNumHeads(1)
                        .setMetricSingvalsPerHead(List.of(List.of(1.0, x)))
                        .setMeanAttentionEntropyPerHead(List.of(1.0))
                        .build());
        out.add(
                LayerGeometry.newBuilder()
                        .setRunId(run)
                        .setCheckpoint(checkpoint)
                        .setLayer(1)
                        .setNumLayers(2)
                        .setNumHeads(1)
                        .setMetricSingvalsPerHead(List.of(List.of(1.0, 0.0)))
                        .setMeanAttentionEntropyPerHead(List.of(2.0))
                        .build());
        return out;
    }
}
