package dev.headgeo.analysis;

/**
 * The value rules of one layer's geometry (non-empty, finite, non-negative spectra; finite
 * entropies), shared by the dump reader and the stream processor so that both reject the same
 * inputs with the same words. Each check returns null when the values are usable, otherwise one
 * line naming the offending element after {@code prefix} (for example {@code "static[3]."} or
 * {@code ""}).
 */
public final class GeometryRules {
    private GeometryRules() {}

    public static String singularValuesProblem(
            String prefix, int numHeads, double[][] singularValues) {
        String field = prefix + "metric_singvals_per_head";
        if (singularValues.length != numHeads) {
            return field
                    + " has "
                    + singularValues.length
                    + " heads, expected num_heads = "
                    + numHeads;
        }
        for (int h = 0; h < numHeads; h++) {
            double[] s = singularValues[h];
            if (s.length == 0) {
                return field + "[" + h + "] is empty";
            }
            for (int k = 0; k < s.length; k++) {
                double v = s[k];
                if (!Double.isFinite(v)) {
                    return field + "[" + h + "][" + k + "] is " + v + ", must be finite";
                }
                if (v < 0) {
                    return field + "[" + h + "][" + k + "] is negative (" + v + ")";
                }
            }
        }
        return null;
    }

    public static String entropyProblem(String prefix, int numHeads, double[] entropy) {
        String field = prefix + "mean_attention_entropy_per_head";
        if (entropy.length != numHeads) {
            return field + " has " + entropy.length + " values, expected num_heads = " + numHeads;
        }
        for (int h = 0; h < numHeads; h++) {
            if (!Double.isFinite(entropy[h])) {
                return field + "[" + h + "] is " + entropy[h] + ", must be finite";
            }
        }
        return null;
    }
}
