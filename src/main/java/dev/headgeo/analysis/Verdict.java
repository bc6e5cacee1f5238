package dev.headgeo.analysis;

/**
 * The reference script's verdict on the scalar-rescale hypothesis, from the overall mean residual.
 */
public enum Verdict {
    SUPPORTED(
            "HYPOTHESIS SUPPORTED — scalar temperature rescale of a shared operator reconstructs"
                    + " earlier layers to within 10% Frobenius residual."),
    PARTIALLY_SUPPORTED(
            "PARTIALLY SUPPORTED — scalar rescale captures most of the structure; a low-rank"
                    + " correction on top is likely enough."),
    REJECTED(
            "HYPOTHESIS REJECTED for pure scalar rescale — spectra differ substantially in shape;"
                    + " need full layer-by-layer operators or rank-k delta.");

    /** Mean residual below this: SUPPORTED. */
    public static final double SUPPORTED_BELOW = 0.1;

    /** Mean residual below this (and not below {@link #SUPPORTED_BELOW}): PARTIALLY_SUPPORTED. */
    public static final double PARTIALLY_SUPPORTED_BELOW = 0.3;

    private final String sentence;

    Verdict(String sentence) {
        this.sentence = sentence;
    }

    /**
     * The script's thresholds: below 0.1 supported, below 0.3 partially; nan compares false, so
     * rejected.
     */
    public static Verdict ofMeanResidual(double meanResidual) {
        if (meanResidual < SUPPORTED_BELOW) {
            return SUPPORTED;
        }
        if (meanResidual < PARTIALLY_SUPPORTED_BELOW) {
            return PARTIALLY_SUPPORTED;
        }
        return REJECTED;
    }

    /** The sentence the script prints for this verdict. */
    public String sentence() {
        return sentence;
    }
}
