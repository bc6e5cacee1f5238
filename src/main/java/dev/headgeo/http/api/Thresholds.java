package dev.headgeo.http.api;

import dev.headgeo.avro.Anchor;
import dev.headgeo.avro.Verdict;
import java.util.List;

/**
 * {@code GET /api/thresholds}: the bands the analysis decides by, this instance's forecast settings, and the
 * anchors and verdicts in the order to show them (verdicts best first).
 */
public record Thresholds(VerdictBands verdict, StabilityBands shapeStability, ForecastSettings forecast, List<Anchor> anchors,
        List<Verdict> verdicts) {
    /** Mean residual below {@code supported_below}: SUPPORTED; below {@code partially_supported_below}: PARTIALLY_SUPPORTED. */
    public record VerdictBands(double supportedBelow, double partiallySupportedBelow) {
    }

    /** Shape-invariance mean above which the shared operator counts as very / approximately stable. */
    public record StabilityBands(double veryStableAbove, double approximatelyStableAbove) {
    }

    /** Checkpoints the trend is fitted over, how far ahead it looks, and the agreement it needs. */
    public record ForecastSettings(int window, int horizon, double minAgreement) {
    }
}
