package dev.headgeo.http;

import java.time.Duration;

/**
 * Bounds on the per-run series of {@code /metrics}, so that a scrape stays small with thousands of
 * runs: only runs reported within {@code window}, at most {@code maxRuns} of them (the most recently
 * reported first) per instance.
 */
public record MetricsLimits(int maxRuns, Duration window) {
    public static final String DEFAULT_MAX_RUNS = "200";
    public static final String DEFAULT_WINDOW = "24h";
    public static final MetricsLimits DEFAULT = new MetricsLimits(Integer.parseInt(DEFAULT_MAX_RUNS), Duration.ofHours(24));
}
