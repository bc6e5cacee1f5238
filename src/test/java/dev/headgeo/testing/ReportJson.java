package dev.headgeo.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.headgeo.analysis.Anchor;
import dev.headgeo.analysis.SaScheduleAnalyzer;
import dev.headgeo.dump.Dump;
import dev.headgeo.report.ReportMapper;
import dev.headgeo.wire.AvroJson;
import java.util.EnumSet;
import java.util.List;

/**
 * Report JSON for comparisons: the stream's report and the offline analysis differ only in their
 * timestamps, in the run context (model, tags) the layer records carried and in what is judged
 * against the run's previous checkpoint (attention health, drivers), which tests of their own
 * check.
 */
public final class ReportJson {
    /** The three fields a report gets from the stream, not from the analysis. */
    public static final List<String> TIMESTAMPS =
            List.of("first_layer_at", "completed_at", "analyzed_at");

    private ReportJson() {}

    /** The run context a report takes from its layer records. */
    public static final List<String> CONTEXT = List.of("model", "tags");

    /**
     * What a report of version 3 judges against the run's previous checkpoint, which an offline
     * analysis has not got.
     */
    public static final List<String> RUN_HISTORY = List.of("attention_health", "drivers");

    /** A copy without {@link #TIMESTAMPS}, {@link #CONTEXT} and {@link #RUN_HISTORY}. */
    public static ObjectNode withoutTimes(JsonNode report) {
        ObjectNode copy = (ObjectNode) report.deepCopy();
        copy.remove(TIMESTAMPS);
        copy.remove(CONTEXT);
        copy.remove(RUN_HISTORY);
        return copy;
    }

    /**
     * The offline analysis of {@code dump} for all anchors (primary LAST) as report JSON, without
     * timestamps.
     */
    public static ObjectNode offline(Dump dump, String runId, long checkpoint) {
        return withoutTimes(
                AvroJson.toJson(
                        ReportMapper.complete(
                                new ReportMapper.Origin(runId, checkpoint, null, null, null),
                                SaScheduleAnalyzer.analyze(
                                        dump.spectra(), EnumSet.allOf(Anchor.class)),
                                Anchor.LAST)));
    }
}
