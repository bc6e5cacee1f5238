package dev.headgeo.wire;

import dev.headgeo.avro.LayerGeometry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The one conversion between a {@code LayerGeometry} record (boxed Avro lists) and the primitive
 * arrays the analysis works on ({@link LayerValues}).
 */
public final class LayerArrays {
    private LayerArrays() {}

    /** [head][k] singular values of one layer record. */
    public static double[][] singularValues(LayerGeometry v) {
        List<List<Double>> heads = v.getMetricSingvalsPerHead();
        double[][] out = new double[heads.size()][];
        for (int h = 0; h < out.length; h++) {
            out[h] = unboxed(heads.get(h));
        }
        return out;
    }

    /** [head] mean attention entropy of one layer record. */
    public static double[] entropy(LayerGeometry v) {
        return unboxed(v.getMeanAttentionEntropyPerHead());
    }

    /**
     * The same record with its numbers unboxed (JSON input; Avro input is read by {@link
     * LayerReader} directly).
     */
    public static LayerValues values(LayerGeometry v) {
        return new LayerValues(
                v.getRunId(),
                v.getCheckpoint(),
                v.getLayer(),
                v.getNumLayers(),
                v.getNumHeads(),
                singularValues(v),
                entropy(v),
                v.getModel(),
                v.getEmittedAt() == null ? null : v.getEmittedAt().toEpochMilli(),
                v.getTags() == null ? java.util.Map.of() : tags(v.getTags()),
                v.getMaxAttentionLogitPerHead() == null
                        ? null
                        : unboxed(v.getMaxAttentionLogitPerHead()),
                v.getProbeTokens(),
                Boolean.TRUE.equals(v.getQkNorm()));
    }

    /** Avro's map of CharSequence keys and values as Strings, in order. */
    static java.util.Map<String, String> tags(
            java.util.Map<? extends CharSequence, ? extends CharSequence> tags) {
        java.util.Map<String, String> out = new java.util.LinkedHashMap<>();
        tags.forEach((k, v) -> out.put(k.toString(), v.toString()));
        return out;
    }

    /** The record of one layer. */
    public static LayerGeometry toRecord(
            String runId,
            long checkpoint,
            int layer,
            int numLayers,
            double[][] singularValues,
            double[] entropy,
            String model,
            Instant emittedAt,
            java.util.Map<String, String> tags) {
        List<List<Double>> heads = new ArrayList<>(singularValues.length);
        for (double[] s : singularValues) {
            heads.add(boxed(s));
        }
        return LayerGeometry.newBuilder()
                .setRunId(runId)
                .setCheckpoint(checkpoint)
                .setLayer(layer)
                .setNumLayers(numLayers)
                .setNumHeads(singularValues.length)
                .setMetricSingvalsPerHead(heads)
                .setMeanAttentionEntropyPerHead(boxed(entropy))
                .setModel(model)
                .setEmittedAt(emittedAt)
                // no map rather than an empty one: a record without tags is written as version 1
                .setTags(tags.isEmpty() ? null : new java.util.LinkedHashMap<>(tags))
                .build();
    }

    /** A list of doubles as an array. */
    public static double[] unboxed(List<Double> values) {
        double[] out = new double[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = values.get(i);
        }
        return out;
    }

    /** An array of doubles as a list. */
    public static List<Double> boxed(double[] values) {
        List<Double> out = new ArrayList<>(values.length);
        for (double v : values) {
            out.add(v);
        }
        return out;
    }
}
