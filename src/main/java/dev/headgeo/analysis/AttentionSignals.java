package dev.headgeo.analysis;

/**
 * What a checkpoint's layer records say about attention health, per (layer, head): the mean probe
 * entropy, the largest singular value of the folded metric, and, where the client measured it, the
 * largest pre-softmax logit.
 *
 * @param entropy [layer][head] mean attention entropy on the probe (nats)
 * @param sigmaMax [layer][head] largest singular value of W_Q^h W_K^h^T
 * @param maxLogit [layer] per head measured max logit, or null for a layer without one
 * @param qkNorm [layer] whether the block normalizes queries and keys
 * @param probeTokens the probe's sequence length, null when not sent
 */
public record AttentionSignals(
        double[][] entropy,
        double[][] sigmaMax,
        double[][] maxLogit,
        boolean[] qkNorm,
        Integer probeTokens) {

    /** What bounds a layer's logits, and so which of its scales is judged. */
    public enum Bound {
        /** the client measured the logits */
        MEASURED_LOGIT,
        /**
         * queries and keys are normalized: the gains bound the logits, sigma_max of the folded
         * metric does not
         */
        QK_NORM,
        /** no measurement, no QK-norm: sigma_max bounds the logits up to the inputs' norms */
        METRIC_SIGMA
    }

    public int numLayers() {
        return entropy.length;
    }

    public int numHeads() {
        return entropy[0].length;
    }

    public Bound bound(int layer) {
        if (maxLogit[layer] != null) {
            return Bound.MEASURED_LOGIT;
        }
        return qkNorm[layer] ? Bound.QK_NORM : Bound.METRIC_SIGMA;
    }

    /**
     * The head's judged logit scale: its measured max logit, else sigma_max; NaN for a QK-norm
     * block without a measurement.
     */
    public double scale(int layer, int head) {
        return switch (bound(layer)) {
            case MEASURED_LOGIT -> maxLogit[layer][head];
            case QK_NORM -> Double.NaN;
            case METRIC_SIGMA -> sigmaMax[layer][head];
        };
    }

    /** The largest singular value of each head of a [layer][head][k] spectrum. */
    public static double[][] sigmaMaxOf(Spectra spectra) {
        double[][] out = new double[spectra.numLayers()][spectra.numHeads()];
        for (int l = 0; l < out.length; l++) {
            for (int h = 0; h < out[l].length; h++) {
                double max = 0;
                for (double s : spectra.singularValues(l, h)) {
                    max = Math.max(max, s);
                }
                out[l][h] = max;
            }
        }
        return out;
    }
}
