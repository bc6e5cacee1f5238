package dev.headgeo.http;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Every parameter of the routes, declared once: handlers read them from here and the OpenAPI
 * document is written from here.
 */
final class ApiParams {
    static final Param<String> RUN =
            Param.pathText(
                    "run",
                    "the run id (percent-encoded as one path segment: it may hold '/', spaces, any"
                            + " letter)");
    static final Param<Long> CHECKPOINT = Param.pathLong("checkpoint", "the training step", 0);
    static final Param<String> FILE = Param.pathText("file", "a file of the dashboard");
    static final Param<String> ALERTS_OF_RUN = Param.queryText("run", "only this run's alerts");
    static final Param<Integer> LIMIT =
            Param.queryInt(
                    "limit", "alerts per page", AlertPages.DEFAULT_LIMIT, 1, AlertPages.MAX_LIMIT);
    static final Param<AlertPages.Cursor> BEFORE =
            Param.queryRead("before", "the previous page's next_before", AlertPages::parse);
    static final Param<RunExport.Format> FORMAT =
            Param.queryChoice(
                    "format",
                    "csv: a row per kept checkpoint; jsonl: a kept full report per line",
                    formats(),
                    RunExport.Format.CSV);
    static final Param<String> TOKEN =
            Param.queryText(
                    "token",
                    "the bearer token, for a browser; answered with a cookie that later requests"
                            + " carry");

    private ApiParams() {}

    private static Map<String, RunExport.Format> formats() {
        Map<String, RunExport.Format> out = new LinkedHashMap<>();
        for (RunExport.Format f : RunExport.Format.values()) {
            out.put(f.extension, f);
        }
        return out;
    }
}
