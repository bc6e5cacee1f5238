package dev.headgeo.http.api;

import dev.headgeo.avro.Anchor;
import dev.headgeo.avro.Verdict;
import java.util.List;

/**
 * {@code GET /api/thresholds}: the bands the analysis decides by, this instance's forecast
 * settings, and the anchors and verdicts in the order to show them (verdicts best first).
 */
public record Thresholds(
        VerdictBands verdict,
        StabilityBands shapeStability,
        ForecastSettings forecast,
        List<Anchor> anchors,
        List<Verdict> verdicts,
        HealthLevels attentionHealth) {
    /**
     * Mean residual below {@code supported_below}: SUPPORTED; below {@code
     * partially_supported_below}: PARTIALLY_SUPPORTED.
     */
    public record VerdictBands(double supportedBelow, double partiallySupportedBelow) {}

    /**
     * Shape-invariance mean above which the shared operator counts as very / approximately stable.
     */
    public record StabilityBands(double veryStableAbove, double approximatelyStableAbove) {}

    /** Checkpoints the trend is fitted over, how far ahead it looks, and the agreement it needs. */
    public record ForecastSettings(int window, int horizon, double minAgreement) {}

    /**
     * The attention-health levels (see {@code AttentionHealth}): a head is collapsed below {@code
     * collapsed_entropy} nats, the run when a layer has at least {@code collapsed_layer_fraction}
     * of its heads so; a head grows when its logit scale grew {@code growth_factor}-fold while its
     * entropy fell to {@code entropy_fall} of what it was, at a measured max logit of at least
     * {@code logit_level}.
     */
    public record HealthLevels(
            double collapsedEntropy,
            double collapsedLayerFraction,
            double growthFactor,
            double entropyFall,
            double logitLevel) {}
}
