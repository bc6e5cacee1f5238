package dev.headgeo.analysis;

/**
 * Experiments 2 and 2b for one anchor: every (layer, head) spectrum fitted as a scalar multiple of
 * the anchor layer's spectrum of the same head. Per-layer arrays are indexed by layer; the per-head
 * maps by {@code layer * numHeads + head} (the script's {@code resid_map} and {@code T_map},
 * flattened).
 */
public record AnchorFitResult(
        Anchor anchor,
        int anchorLayer,
        double[] layerMeanResidual,
        double[] layerMaxResidual,
        double[] layerMeanScale,
        double meanResidual,
        double maxResidual,
        double fracBelow010,
        double fracBelow020,
        double corrScaleEntropy,
        Verdict verdict,
        double[] headResidual,
        double[] headScale) {}
