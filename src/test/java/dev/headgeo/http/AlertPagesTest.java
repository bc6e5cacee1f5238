package dev.headgeo.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.headgeo.avro.Alert;
import dev.headgeo.avro.AlertType;
import dev.headgeo.avro.Severity;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AlertPagesTest {
    static Alert alert(long raisedAt, String run, String type, long checkpoint) {
        return Alert.newBuilder()
                .setRaisedAt(Instant.ofEpochMilli(raisedAt))
                .setRunId(run)
                .setType(AlertType.valueOf(type))
                .setCheckpoint(checkpoint)
                .setMessage("")
                .setSeverity(Severity.WARNING)
                .setMissingLayers(List.of())
                .setEarlierVerdicts(List.of())
                .setLaterVerdicts(List.of())
                .setTags(Map.of())
                .build();
    }

    /**
     * Three instances' alerts, several in the same millisecond, one kept twice (active and standby
     * copy).
     */
    static final List<List<Alert>> SOURCES =
            List.of(
                    List.of(
                            alert(1000, "a", "VERDICT_FLIP", 300),
                            alert(1000, "a", "FLIP_FORECAST", 300),
                            alert(900, "a", "VERDICT_FLIP", 200)),
                    List.of(
                            alert(1000, "b", "VERDICT_FLIP", 300),
                            alert(950, "b", "INCOMPLETE_CHECKPOINT", 250),
                            alert(1000, "a", "VERDICT_FLIP", 300)),
                    List.of(
                            alert(1000, "c", "VERDICT_FLIP", 300),
                            alert(1000, "c", "VERDICT_FLIP", 200),
                            alert(10, "c", "VERDICT_FLIP", 100)));

    /**
     * Pages through the sources as the API does: each source cut at the limit after the cursor,
     * then merged.
     */
    static List<String> walk(int limit) {
        List<String> seen = new ArrayList<>();
        AlertPages.Cursor before = null;
        for (int pages = 0; pages < 20; pages++) {
            List<Alert> merged = new ArrayList<>();
            boolean full = false;
            for (List<Alert> source : SOURCES) {
                AlertPages.Page own = AlertPages.page(source, before, limit, false);
                merged.addAll(own.alerts());
                full |= own.more();
            }
            AlertPages.Page page = AlertPages.page(merged, before, limit, full);
            assertThat(page.alerts().size()).isLessThanOrEqualTo(limit);
            page.alerts()
                    .forEach(
                            a ->
                                    seen.add(
                                            a.getRaisedAt().toEpochMilli()
                                                    + " "
                                                    + a.getRunId()
                                                    + " "
                                                    + a.getType()
                                                    + " "
                                                    + a.getCheckpoint()));
            if (page.nextBefore() == null) {
                return seen;
            }
            before = AlertPages.parse(page.nextBefore());
        }
        throw new AssertionError("paging did not end");
    }

    @Test
    void everyAlertOnceNewestFirstWhateverThePageSize() {
        List<String> all =
                List.of(
                        "1000 a FLIP_FORECAST 300",
                        "1000 a VERDICT_FLIP 300",
                        "1000 b VERDICT_FLIP 300",
                        "1000 c VERDICT_FLIP 300",
                        "1000 c VERDICT_FLIP 200",
                        "950 b INCOMPLETE_CHECKPOINT 250",
                        "900 a VERDICT_FLIP 200",
                        "10 c VERDICT_FLIP 100");
        for (int limit = 1; limit <= 9; limit++) {
            assertThat(walk(limit)).as("limit " + limit).containsExactlyElementsOf(all);
        }
    }

    @Test
    void aCursorNotMadeHereIsABadRequest() {
        assertThatThrownBy(() -> AlertPages.parse("not-a-cursor"))
                .isInstanceOf(HttpError.class)
                .hasMessageContaining("next_before")
                .extracting(e -> ((HttpError) e).status())
                .isEqualTo(400);
        assertThat(AlertPages.parse(null)).isNull();
    }
}
