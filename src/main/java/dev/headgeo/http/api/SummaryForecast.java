package dev.headgeo.http.api;

/**
 * A run summary's forecast: the verdict boundary the trend heads for and when it would cross it.
 */
public record SummaryForecast(
        double boundary, @Nullable Long crossingCheckpoint, @Nullable Double trendPerCheckpoint) {}
