package dev.headgeo.analysis;

/**
 * One checkpoint's input to the analysis: per (layer, head) singular values, possibly of different
 * lengths, and per (layer, head) mean attention entropy. Rows are in layer order.
 *
 * <p>Checks only structure (counts); value rules (finite, non-negative, non-empty) are {@link
 * GeometryRules}' business, applied where records enter.
 */
public final class Spectra {
    private final int numLayers;
    private final int numHeads;
    private final double[][][] singularValues;
    private final double[][] entropy;

    /**
     * @param singularValues [layer][head][k], ragged in k
     * @param entropy [layer][head]
     */
    public Spectra(double[][][] singularValues, double[][] entropy) {
        if (singularValues.length == 0) {
            throw new IllegalArgumentException("no layers");
        }
        if (entropy.length != singularValues.length) {
            throw new IllegalArgumentException(
                    "entropy has "
                            + entropy.length
                            + " layers, spectra have "
                            + singularValues.length);
        }
        this.numLayers = singularValues.length;
        this.numHeads = singularValues[0].length;
        if (numHeads == 0) {
            throw new IllegalArgumentException("no heads");
        }
        for (int l = 0; l < numLayers; l++) {
            if (singularValues[l].length != numHeads || entropy[l].length != numHeads) {
                throw new IllegalArgumentException(
                        "layer " + l + " does not have " + numHeads + " heads");
            }
        }
        this.singularValues = singularValues;
        this.entropy = entropy;
    }

    public int numLayers() {
        return numLayers;
    }

    public int numHeads() {
        return numHeads;
    }

    /** Singular values of one head; not copied, do not modify. */
    public double[] singularValues(int layer, int head) {
        return singularValues[layer][head];
    }

    public double entropy(int layer, int head) {
        return entropy[layer][head];
    }

    /** The longest singular-value list: every head is zero-padded to it. */
    public int maxRank() {
        return maxRank(singularValues);
    }

    /**
     * The longest singular-value list of [layer][head][k] spectra (layers may be missing: null).
     */
    public static int maxRank(double[][][] singularValues) {
        int k = 0;
        for (double[][] layer : singularValues) {
            if (layer != null) {
                for (double[] head : layer) {
                    k = Math.max(k, head.length);
                }
            }
        }
        return k;
    }
}
