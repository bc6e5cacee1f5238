package dev.headgeo.http;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Paging of {@code /api/alerts}: newest first, in one total order over every instance's alerts
 * (raised_at descending, then run_id, type and checkpoint), so that a cursor taken on one page
 * neither drops nor repeats an alert of the same millisecond on the next, wherever it is kept.
 * The cursor is opaque to clients: the sort key of the last alert of a page, base64url-encoded.
 */
final class AlertPages {
    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 1000;
    private static final char SEP = '\u0000';

    static final Comparator<JsonNode> NEWEST_FIRST = Comparator
            .comparingLong((JsonNode a) -> a.path("raised_at").asLong()).reversed()
            .thenComparing(a -> a.path("run_id").asText())
            .thenComparing(a -> a.path("type").asText())
            .thenComparing(Comparator.comparingLong((JsonNode a) -> a.path("checkpoint").asLong()).reversed());

    /** A decoded cursor: the sort key of the last alert already shown. */
    record Cursor(long raisedAt, String runId, String type, long checkpoint) {
        boolean isBefore(JsonNode alert) {
            return NEWEST_FIRST.compare(asNode(), alert) < 0;
        }

        private JsonNode asNode() {
            return dev.headgeo.wire.Json.MAPPER.createObjectNode().put("raised_at", raisedAt).put("run_id", runId)
                    .put("type", type).put("checkpoint", checkpoint);
        }
    }

    /** One page and whether a further page may exist. */
    record Page(List<JsonNode> alerts, boolean more) {
        String nextBefore() {
            return more && !alerts.isEmpty() ? cursorOf(alerts.get(alerts.size() - 1)) : null;
        }
    }

    private AlertPages() {
    }

    static String cursorOf(JsonNode alert) {
        String key = alert.path("raised_at").asLong() + "" + SEP + alert.path("run_id").asText() + SEP + alert.path("type").asText()
                + SEP + alert.path("checkpoint").asLong();
        return Base64.getUrlEncoder().withoutPadding().encodeToString(key.getBytes(StandardCharsets.UTF_8));
    }

    /** @throws HttpError 400 for a cursor this server did not make */
    static Cursor parse(String before) {
        if (before == null || before.isEmpty()) {
            return null;
        }
        try {
            String[] parts = new String(Base64.getUrlDecoder().decode(before), StandardCharsets.UTF_8).split(String.valueOf(SEP), -1);
            if (parts.length != 4) {
                throw new IllegalArgumentException();
            }
            return new Cursor(Long.parseLong(parts[0]), parts[1], parts[2], Long.parseLong(parts[3]));
        } catch (IllegalArgumentException e) {
            throw HttpError.badRequest("before '" + before + "' is not a cursor from a previous page's next_before");
        }
    }

    /**
     * Merges alerts from several sources (copies of one alert on an active and a standby store count
     * once), keeps those after {@code before} and cuts at {@code limit}.
     *
     * @param sourceFull true when some source returned a full page of its own, so more may exist beyond
     */
    static Page page(List<JsonNode> alerts, Cursor before, int limit, boolean sourceFull) {
        Map<String, JsonNode> unique = new LinkedHashMap<>();
        for (JsonNode a : alerts) {
            if (before == null || before.isBefore(a)) {
                unique.putIfAbsent(cursorOf(a), a);
            }
        }
        List<JsonNode> sorted = new ArrayList<>(unique.values());
        sorted.sort(NEWEST_FIRST);
        boolean more = sorted.size() > limit || sourceFull;
        return new Page(sorted.size() > limit ? List.copyOf(sorted.subList(0, limit)) : sorted, more);
    }
}
