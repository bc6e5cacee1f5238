package dev.headgeo.http;

import dev.headgeo.avro.Alert;
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
 * neither drops nor repeats an alert of the same millisecond on the next, wherever it is kept. The
 * cursor is opaque to clients: the sort key of the last alert of a page, base64url-encoded.
 */
final class AlertPages {
    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 1000;
    private static final char SEP = '\u0000';

    /** The sort key of an alert, which a cursor carries. */
    record Cursor(long raisedAt, String runId, String type, long checkpoint) {
        static final Comparator<Cursor> NEWEST_FIRST =
                Comparator.comparingLong(Cursor::raisedAt)
                        .reversed()
                        .thenComparing(Cursor::runId)
                        .thenComparing(Cursor::type)
                        .thenComparing(Comparator.comparingLong(Cursor::checkpoint).reversed());

        static Cursor of(Alert a) {
            return new Cursor(
                    a.getRaisedAt().toEpochMilli(),
                    a.getRunId(),
                    a.getType().name(),
                    a.getCheckpoint());
        }

        boolean isBefore(Alert alert) {
            return NEWEST_FIRST.compare(this, of(alert)) < 0;
        }

        String encoded() {
            String key = raisedAt + "" + SEP + runId + SEP + type + SEP + checkpoint;
            return Base64.getUrlEncoder()
                    .withoutPadding()
                    .encodeToString(key.getBytes(StandardCharsets.UTF_8));
        }
    }

    static final Comparator<Alert> NEWEST_FIRST =
            Comparator.comparing(Cursor::of, Cursor.NEWEST_FIRST);

    /** One page and whether a further page may exist. */
    record Page(List<Alert> alerts, boolean more) {
        String nextBefore() {
            return more && !alerts.isEmpty() ? cursorOf(alerts.get(alerts.size() - 1)) : null;
        }
    }

    private AlertPages() {}

    static String cursorOf(Alert alert) {
        return Cursor.of(alert).encoded();
    }

    /**
     * @throws HttpError 400 for a cursor this server did not make
     */
    static Cursor parse(String before) {
        if (before == null || before.isEmpty()) {
            return null;
        }
        try {
            String[] parts =
                    new String(Base64.getUrlDecoder().decode(before), StandardCharsets.UTF_8)
                            .split(String.valueOf(SEP), -1);
            if (parts.length != 4) {
                throw new IllegalArgumentException();
            }
            return new Cursor(
                    Long.parseLong(parts[0]), parts[1], parts[2], Long.parseLong(parts[3]));
        } catch (IllegalArgumentException e) {
            throw HttpError.badRequest(
                    "before '"
                            + Quote.of(before)
                            + "' is not a cursor from a previous page's next_before");
        }
    }

    /**
     * Merges alerts from several sources (copies of one alert on an active and a standby store
     * count once), keeps those after {@code before} and cuts at {@code limit}.
     *
     * @param sourceFull true when some source returned a full page of its own, so more may exist
     *     beyond
     */
    static Page page(List<Alert> alerts, Cursor before, int limit, boolean sourceFull) {
        Map<Cursor, Alert> unique = new LinkedHashMap<>();
        for (Alert a : alerts) {
            if (before == null || before.isBefore(a)) {
                unique.putIfAbsent(Cursor.of(a), a);
            }
        }
        List<Alert> sorted = new ArrayList<>(unique.values());
        sorted.sort(NEWEST_FIRST);
        boolean more = sorted.size() > limit || sourceFull;
        return new Page(
                sorted.size() > limit ? List.copyOf(sorted.subList(0, limit)) : sorted, more);
    }
}
