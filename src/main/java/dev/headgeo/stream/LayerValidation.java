package dev.headgeo.stream;

import dev.headgeo.analysis.GeometryRules;
import dev.headgeo.util.Printable;
import dev.headgeo.wire.LayerValues;
import dev.headgeo.wire.RunTags;

/**
 * The rules for one decoded layer record (README, "Layer record rules"); the first broken one is an
 * INVALID dead letter.
 */
final class LayerValidation {
    /**
     * Entropies down to this much below zero are rounding, not errors: -sum p log(p + 1e-12) of a
     * one-hot row is -1e-12, which clients before 0.5 sent for collapsed heads.
     */
    static final double NEGATIVE_ENTROPY_ROUNDING = 1e-9;

    private LayerValidation() {}

    /**
     * @return null when valid, otherwise what is wrong (record text escaped)
     */
    static String problem(String key, LayerValues v, LayerLimits limits) {
        String runId = v.runId();
        if (runId.isEmpty()) {
            return "run_id is empty";
        }
        if (runId.length() > limits.maxRunIdLength()) {
            return "run_id has "
                    + runId.length()
                    + " characters, the limit is "
                    + limits.maxRunIdLength();
        }
        if (Printable.hasControl(runId)) {
            return "run_id '" + Printable.of(runId) + "' contains control characters";
        }
        if (key == null) {
            return "record key is null, must equal run_id '" + runId + "'";
        }
        if (!key.equals(runId)) {
            return "record key '" + Printable.of(key) + "' is not run_id '" + runId + "'";
        }
        if (v.checkpoint() < 0) {
            return "checkpoint is " + v.checkpoint() + ", must be >= 0";
        }
        if (v.numLayers() < 1 || v.numLayers() > limits.maxLayers()) {
            return "num_layers is "
                    + v.numLayers()
                    + ", must be in [1, "
                    + limits.maxLayers()
                    + "]";
        }
        if (v.numHeads() < 1 || v.numHeads() > limits.maxHeads()) {
            return "num_heads is " + v.numHeads() + ", must be in [1, " + limits.maxHeads() + "]";
        }
        if (v.layer() < 0 || v.layer() >= v.numLayers()) {
            return "layer is " + v.layer() + ", must be in [0, num_layers = " + v.numLayers() + ")";
        }
        double[][] heads = v.singularValues();
        for (int h = 0; h < heads.length; h++) {
            if (heads[h].length > limits.maxSingularValues()) {
                return "metric_singvals_per_head["
                        + h
                        + "] has "
                        + heads[h].length
                        + " values, the limit is "
                        + limits.maxSingularValues();
            }
        }
        String tags = RunTags.problem(v.tags());
        if (tags != null) {
            return tags;
        }
        String spectra = GeometryRules.singularValuesProblem("", v.numHeads(), heads);
        if (spectra != null) {
            return spectra;
        }
        String entropy = GeometryRules.entropyProblem("", v.numHeads(), v.entropy());
        if (entropy != null) {
            return entropy;
        }
        for (int h = 0; h < v.numHeads(); h++) {
            if (v.entropy()[h] < -NEGATIVE_ENTROPY_ROUNDING) {
                return "mean_attention_entropy_per_head["
                        + h
                        + "] is negative ("
                        + v.entropy()[h]
                        + "): an entropy in nats is >= 0";
            }
        }
        return attentionHealthProblem(v);
    }

    /** The optional fields of layer record v3. */
    private static String attentionHealthProblem(LayerValues v) {
        double[] logits = v.maxLogit();
        if (logits != null) {
            if (logits.length != v.numHeads()) {
                return "max_attention_logit_per_head has "
                        + logits.length
                        + " values, expected num_heads = "
                        + v.numHeads();
            }
            for (int h = 0; h < logits.length; h++) {
                if (!Double.isFinite(logits[h])) {
                    return "max_attention_logit_per_head["
                            + h
                            + "] is "
                            + logits[h]
                            + ", must be finite";
                }
            }
        }
        if (v.probeTokens() != null && v.probeTokens() < 1) {
            return "probe_tokens is " + v.probeTokens() + ", must be >= 1";
        }
        return null;
    }
}
