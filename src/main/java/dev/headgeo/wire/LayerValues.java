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
 * @param maxLogit [head] largest pre-softmax logit on the probe (layer record v3), null when absent
 * @param probeTokens the probe's sequence length (v3), null when absent
 * @param qkNorm the block normalizes queries and keys (v3; false when absent)
 */
public record LayerValues(
        String runId,
        long checkpoint,
        int layer,
        int numLayers,
        int numHeads,
        double[][] singularValues,
        double[] entropy,
        String model,
        Long emittedAt,
        java.util.Map<String, String> tags,
        double[] maxLogit,
        Integer probeTokens,
        boolean qkNorm) {

    /** A record without the attention-health fields of version 3. */
    public LayerValues(
            String runId,
            long checkpoint,
            int layer,
            int numLayers,
            int numHeads,
            double[][] singularValues,
            double[] entropy,
            String model,
            Long emittedAt,
            java.util.Map<String, String> tags) {
        this(
                runId,
                checkpoint,
                layer,
                numLayers,
                numHeads,
                singularValues,
                entropy,
                model,
                emittedAt,
                tags,
                null,
                null,
                false);
    }
}
