package dev.headgeo.http.api;

import java.util.List;

/**
 * {@code GET /api/runs}: one summary per run any reachable instance holds, by run id; who did not
 * answer.
 */
public record RunsPage(List<RunSummary> runs, List<String> missingInstances) {}
