package dev.headgeo.http;

import dev.headgeo.client.TagLabels;
import java.time.Duration;
import java.util.List;

/**
 * What the per-run series of {@code /metrics} carry and how many there are, so that a scrape stays
 * small with thousands of runs: only runs reported within {@code window}, at most {@code maxRuns}
 * of them (the most recently reported first) per instance; each with a label per tag key of {@code
 * labelTags} (the run's tag value, empty when it has none), for routing in Alertmanager.
 */
public record MetricsLimits(int maxRuns, Duration window, List<String> labelTags) {
    public static final String DEFAULT_MAX_RUNS = "200";
    public static final String DEFAULT_WINDOW = "24h";
    public static final MetricsLimits DEFAULT =
            new MetricsLimits(Integer.parseInt(DEFAULT_MAX_RUNS), Duration.ofHours(24));

    public MetricsLimits {
        labelTags = List.copyOf(labelTags);
        TagLabels.check(labelTags);
    }

    public MetricsLimits(int maxRuns, Duration window) {
        this(maxRuns, window, List.of());
    }
}
