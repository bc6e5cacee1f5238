package dev.headgeo.analysis;

import java.util.List;

/**
 * Everything the reference script prints for one checkpoint, for each requested anchor. Undefined
 * values are nan, exactly where the script's are.
 *
 * @param fits one per requested anchor, in the order LAST, MIDDLE, BEST
 * @param crossHeadSimilarity experiment 3, indexed by layer
 */
public record AnalysisResult(
        int numLayers,
        int numHeads,
        int maxRank,
        ShapeInvarianceResult shapeInvariance,
        List<AnchorFitResult> fits,
        double corrOpNormEntropy,
        double[] crossHeadSimilarity) {

    /** The fit for {@code anchor}; it must have been requested. */
    public AnchorFitResult fit(Anchor anchor) {
        for (AnchorFitResult fit : fits) {
            if (fit.anchor() == anchor) {
                return fit;
            }
        }
        throw new IllegalArgumentException("anchor " + anchor + " was not analyzed");
    }
}
