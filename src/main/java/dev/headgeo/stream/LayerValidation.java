package dev.headgeo.stream;

import dev.headgeo.analysis.GeometryRules;
import dev.headgeo.avro.LayerGeometry;
import dev.headgeo.wire.LayerArrays;

/** The rules for one decoded layer record (README, "Layer record rules"); the first broken one is an INVALID dead letter. */
final class LayerValidation {
    private LayerValidation() {
    }

    /** @return null when valid, otherwise what is wrong */
    static String problem(String key, LayerGeometry v) {
        String runId = v.getRunId();
        if (runId.isEmpty()) {
            return "run_id is empty";
        }
        if (runId.indexOf(StoreKeys.SEPARATOR) >= 0) {
            return "run_id contains a NUL character";
        }
        if (key == null) {
            return "record key is null, must equal run_id '" + runId + "'";
        }
        if (!key.equals(runId)) {
            return "record key '" + key + "' is not run_id '" + runId + "'";
        }
        if (v.getCheckpoint() < 0) {
            return "checkpoint is " + v.getCheckpoint() + ", must be >= 0";
        }
        if (v.getNumLayers() < 1) {
            return "num_layers is " + v.getNumLayers() + ", must be >= 1";
        }
        if (v.getNumHeads() < 1) {
            return "num_heads is " + v.getNumHeads() + ", must be >= 1";
        }
        if (v.getLayer() < 0 || v.getLayer() >= v.getNumLayers()) {
            return "layer is " + v.getLayer() + ", must be in [0, num_layers = " + v.getNumLayers() + ")";
        }
        String spectra = GeometryRules.singularValuesProblem("", v.getNumHeads(), LayerArrays.singularValues(v));
        if (spectra != null) {
            return spectra;
        }
        return GeometryRules.entropyProblem("", v.getNumHeads(), LayerArrays.entropy(v));
    }
}
