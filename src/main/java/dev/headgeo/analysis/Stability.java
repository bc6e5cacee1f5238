package dev.headgeo.analysis;

/** Experiment 1's verbal class of the per-head mean pairwise shape cosine. */
public enum Stability {
    VERY_STABLE("very stable"),
    APPROXIMATELY_STABLE("approximately stable"),
    NOT_STABLE("not stable"),
    /** The mean is undefined (one layer); the script prints "not stable" for it. */
    UNDEFINED("not stable");

    /** The script's thresholds on the mean, strictly above. */
    public static final double VERY_STABLE_ABOVE = 0.98;

    public static final double APPROXIMATELY_STABLE_ABOVE = 0.9;

    private final String words;

    Stability(String words) {
        this.words = words;
    }

    /** The script's thresholds 0.98 and 0.9, strictly above. */
    public static Stability ofMean(double mean) {
        if (Double.isNaN(mean)) {
            return UNDEFINED;
        }
        if (mean > VERY_STABLE_ABOVE) {
            return VERY_STABLE;
        }
        if (mean > APPROXIMATELY_STABLE_ABOVE) {
            return APPROXIMATELY_STABLE;
        }
        return NOT_STABLE;
    }

    /** How the script's summary line words it. */
    public String words() {
        return words;
    }
}
