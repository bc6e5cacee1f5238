package dev.headgeo.stream;

import dev.headgeo.analysis.GeometryRules;
import dev.headgeo.avro.LayerGeometry;
import dev.headgeo.util.Printable;
import dev.headgeo.wire.LayerArrays;
import java.util.List;

/** The rules for one decoded layer record (README, "Layer record rules"); the first broken one is an INVALID dead letter. */
final class LayerValidation {
    private LayerValidation() {
    }

    /** @return null when valid, otherwise what is wrong (record text escaped) */
    static String problem(String key, LayerGeometry v, LayerLimits limits) {
        String runId = v.getRunId();
        if (runId.isEmpty()) {
            return "run_id is empty";
        }
        if (runId.length() > limits.maxRunIdLength()) {
            return "run_id has " + runId.length() + " characters, the limit is " + limits.maxRunIdLength();
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
        if (v.getCheckpoint() < 0) {
            return "checkpoint is " + v.getCheckpoint() + ", must be >= 0";
        }
        if (v.getNumLayers() < 1 || v.getNumLayers() > limits.maxLayers()) {
            return "num_layers is " + v.getNumLayers() + ", must be in [1, " + limits.maxLayers() + "]";
        }
        if (v.getNumHeads() < 1 || v.getNumHeads() > limits.maxHeads()) {
            return "num_heads is " + v.getNumHeads() + ", must be in [1, " + limits.maxHeads() + "]";
        }
        if (v.getLayer() < 0 || v.getLayer() >= v.getNumLayers()) {
            return "layer is " + v.getLayer() + ", must be in [0, num_layers = " + v.getNumLayers() + ")";
        }
        List<List<Double>> heads = v.getMetricSingvalsPerHead();
        for (int h = 0; h < heads.size(); h++) {
            if (heads.get(h).size() > limits.maxSingularValues()) {
                return "metric_singvals_per_head[" + h + "] has " + heads.get(h).size() + " values, the limit is "
                        + limits.maxSingularValues();
            }
        }
        String spectra = GeometryRules.singularValuesProblem("", v.getNumHeads(), LayerArrays.singularValues(v));
        if (spectra != null) {
            return spectra;
        }
        return GeometryRules.entropyProblem("", v.getNumHeads(), LayerArrays.entropy(v));
    }
}
