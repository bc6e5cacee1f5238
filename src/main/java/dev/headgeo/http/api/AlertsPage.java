package dev.headgeo.http.api;

import dev.headgeo.avro.Alert;
import java.util.List;

/**
 * {@code GET /api/alerts}: one page, newest first; {@code next_before} asks for the next (null:
 * none).
 */
public record AlertsPage(
        List<Alert> alerts, @Nullable String nextBefore, List<String> missingInstances) {}
