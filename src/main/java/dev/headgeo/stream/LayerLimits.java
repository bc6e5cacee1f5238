package dev.headgeo.stream;

/**
 * How big a layer record may be, checked at the door (INVALID, with the limit in the detail), so
 * that one valid-looking record cannot make the processor allocate without bound. The defaults
 * cover every published transformer (the largest have ~100 layers, ~128 heads, d_head ≤ 256).
 *
 * @param maxLayers largest num_layers
 * @param maxHeads largest num_heads
 * @param maxSingularValues most singular values of one head
 * @param maxRunIdLength longest run_id, in characters (at least 1; no control characters)
 */
public record LayerLimits(int maxLayers, int maxHeads, int maxSingularValues, int maxRunIdLength) {
    public static final String DEFAULT_MAX_LAYERS = "1024";
    public static final String DEFAULT_MAX_HEADS = "1024";
    public static final String DEFAULT_MAX_SINGULAR_VALUES = "65536";
    public static final String DEFAULT_MAX_RUN_ID_LENGTH = "256";

    public static LayerLimits defaults() {
        return new LayerLimits(
                Integer.parseInt(DEFAULT_MAX_LAYERS),
                Integer.parseInt(DEFAULT_MAX_HEADS),
                Integer.parseInt(DEFAULT_MAX_SINGULAR_VALUES),
                Integer.parseInt(DEFAULT_MAX_RUN_ID_LENGTH));
    }
}
