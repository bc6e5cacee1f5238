package dev.headgeo.stream;

import dev.headgeo.analysis.AttentionSignals;
import dev.headgeo.analysis.Spectra;
import dev.headgeo.avro.OpenCheckpoint;
import dev.headgeo.wire.LayerValues;
import java.util.ArrayList;
import java.util.List;

/**
 * What gather-layers hands to analyze-checkpoint (in memory, never serialised): either all layers
 * of a checkpoint as spectra, or the shape of a timed-out one and the layers it never got.
 *
 * @param spectra all layers in order, or null when incomplete
 * @param maxRank longest spectrum among the layers that arrived
 * @param layerBytes the layers as stored (Avro single-object encoding), for dead letters if the
 *     analysis fails
 * @param signals the attention-health signals of all layers, or null when incomplete
 */
record GatheredCheckpoint(
        String runId,
        long checkpoint,
        int numLayers,
        int numHeads,
        int maxRank,
        Spectra spectra,
        List<Integer> missingLayers,
        long firstLayerAt,
        long completedAt,
        List<byte[]> layerBytes,
        String model,
        java.util.Map<String, String> tags,
        AttentionSignals signals)
        implements Flow.GatherOutput {

    /** The run context of a checkpoint: the model and tags of its lowest layer that names them. */
    private static String modelOf(List<Layer> layers) {
        return layers.stream()
                .map(l -> l.values().model())
                .filter(java.util.Objects::nonNull)
                .findFirst()
                .orElse(null);
    }

    private static java.util.Map<String, String> tagsOf(List<Layer> layers) {
        return layers.stream()
                .map(l -> l.values().tags())
                .filter(t -> !t.isEmpty())
                .findFirst()
                .orElse(java.util.Map.of());
    }

    /** One stored layer: decoded, and its bytes. */
    record Layer(LayerValues values, byte[] bytes) {}

    /** All layers arrived; {@code layers} holds each layer once. */
    static GatheredCheckpoint complete(OpenCheckpoint state, List<Layer> layers, long completedAt) {
        double[][][] singularValues = new double[state.getNumLayers()][][];
        double[][] entropy = new double[state.getNumLayers()][];
        double[][] maxLogit = new double[state.getNumLayers()][];
        boolean[] qkNorm = new boolean[state.getNumLayers()];
        Integer probeTokens = null;
        List<byte[]> bytes = new ArrayList<>(layers.size());
        for (Layer layer : layers) {
            LayerValues l = layer.values();
            singularValues[l.layer()] = l.singularValues();
            entropy[l.layer()] = l.entropy();
            maxLogit[l.layer()] = l.maxLogit();
            qkNorm[l.layer()] = l.qkNorm();
            if (l.probeTokens() != null) {
                probeTokens =
                        probeTokens == null
                                ? l.probeTokens()
                                : Math.min(probeTokens, l.probeTokens());
            }
            bytes.add(layer.bytes());
        }
        Spectra spectra = new Spectra(singularValues, entropy);
        AttentionSignals signals =
                new AttentionSignals(
                        entropy,
                        AttentionSignals.sigmaMaxOf(spectra),
                        maxLogit,
                        qkNorm,
                        probeTokens);
        return new GatheredCheckpoint(
                state.getRunId(),
                state.getCheckpoint(),
                state.getNumLayers(),
                state.getNumHeads(),
                spectra.maxRank(),
                spectra,
                List.of(),
                state.getFirstLayerAt(),
                completedAt,
                bytes,
                modelOf(layers),
                tagsOf(layers),
                signals);
    }

    /** The checkpoint timed out with only {@code arrived} layers. */
    static GatheredCheckpoint timedOut(OpenCheckpoint state, List<Layer> arrived, long now) {
        double[][][] singularValues = new double[state.getNumLayers()][][];
        for (Layer layer : arrived) {
            singularValues[layer.values().layer()] = layer.values().singularValues();
        }
        List<Integer> missing = new ArrayList<>();
        for (int l = 0; l < singularValues.length; l++) {
            if (singularValues[l] == null) {
                missing.add(l);
            }
        }
        return new GatheredCheckpoint(
                state.getRunId(),
                state.getCheckpoint(),
                state.getNumLayers(),
                state.getNumHeads(),
                Spectra.maxRank(singularValues),
                null,
                missing,
                state.getFirstLayerAt(),
                now,
                List.of(),
                modelOf(arrived),
                tagsOf(arrived),
                null);
    }

    boolean complete() {
        return spectra != null;
    }
}
