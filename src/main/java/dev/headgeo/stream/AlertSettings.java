package dev.headgeo.stream;

/**
 * How track-verdicts decides what to alert. The defaults alert every flip at once and forecast over
 * the last 6 complete checkpoints, 3 checkpoint intervals ahead (see the README's measured
 * early-warning table for why).
 *
 * @param flipMargin a verdict change counts only when the mean residual is more than this past the
 *     boundary (0: off)
 * @param flipConfirmations a new verdict is alerted once it has held for this many complete
 *     checkpoints (1: at once)
 * @param forecastWindow complete checkpoints the trend is drawn through
 * @param forecastHorizon checkpoint intervals the trend is extended over
 * @param forecastAgreement share of pairwise slopes that must agree with the trend for a forecast
 */
public record AlertSettings(
        double flipMargin,
        int flipConfirmations,
        int forecastWindow,
        int forecastHorizon,
        double forecastAgreement) {
    public static final String DEFAULT_FLIP_MARGIN = "0";
    public static final String DEFAULT_FLIP_CONFIRMATIONS = "1";
    public static final String DEFAULT_FORECAST_WINDOW = "10";
    public static final String DEFAULT_FORECAST_HORIZON = "3";
    public static final String DEFAULT_FORECAST_AGREEMENT = "0.8";

    public static AlertSettings defaults() {
        return new AlertSettings(
                Double.parseDouble(DEFAULT_FLIP_MARGIN),
                Integer.parseInt(DEFAULT_FLIP_CONFIRMATIONS),
                Integer.parseInt(DEFAULT_FORECAST_WINDOW),
                Integer.parseInt(DEFAULT_FORECAST_HORIZON),
                Double.parseDouble(DEFAULT_FORECAST_AGREEMENT));
    }

    /**
     * True when flips are alerted between neighbours as they come (no margin, no confirmations).
     */
    boolean immediateFlips() {
        return flipMargin == 0 && flipConfirmations <= 1;
    }

    /** The same with flip control. */
    public AlertSettings withFlipControl(double margin, int confirmations) {
        return new AlertSettings(
                margin, confirmations, forecastWindow, forecastHorizon, forecastAgreement);
    }
}
