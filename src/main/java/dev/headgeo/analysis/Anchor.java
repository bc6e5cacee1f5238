package dev.headgeo.analysis;

/** How experiment 2 chooses the anchor layer whose spectra the other layers are fitted to. */
public enum Anchor {
    /** The last layer, {@code num_layers - 1}. */
    LAST,
    /** {@code num_layers // 2}. */
    MIDDLE,
    /**
     * The layer with the highest total shape cosine to all other layers; ties go to the lower
     * layer.
     */
    BEST
}
