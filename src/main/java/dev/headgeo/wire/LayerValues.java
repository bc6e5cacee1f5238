package dev.headgeo.wire;

/**
 * One layer record with its numbers in primitive arrays: what the processor validates, gathers and
 * analyses. The generated {@code LayerGeometry} holds the same fields as boxed lists.
 *
 * @param singularValues [head][k] singular values, ragged in k
 * @param entropy [head] mean attention entropy
 * @param model null when absent
 * @param emittedAt epoch milliseconds, null when absent
 * @param tags run context (layer record v2), empty when absent
 */
public record LayerValues(String runId, long checkpoint, int layer, int numLayers, int numHeads,
                          double[][] singularValues, double[] entropy, String model, Long emittedAt, java.util.Map<String, String> tags) {
}
