package dev.headgeo.http;

import dev.headgeo.avro.Anchor;
import dev.headgeo.avro.AnchorSummary;
import dev.headgeo.avro.CheckpointReport;
import dev.headgeo.avro.CheckpointSummary;
import dev.headgeo.avro.HealthSummary;
import dev.headgeo.http.api.KeptHistory;
import dev.headgeo.stream.StoreKeys;
import dev.headgeo.wire.AvroJson;
import dev.headgeo.wire.RunTags;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * A run's kept history taken out for a notebook (design §10): CSV of every kept checkpoint (from
 * the summaries) and JSON lines of every kept full report. Numbers keep full double precision
 * (Java's shortest round-trip form); undefined values are empty cells.
 */
final class RunExport {
    /**
     * The columns §10 fixes, then the per-anchor verdicts and anchor layers, missing layers and
     * time, the attention health in brief and the training context (design §15); columns are only
     * ever added at the end.
     */
    static final List<String> COLUMNS = columns();

    private RunExport() {}

    enum Format {
        CSV("text/csv; charset=utf-8", "csv"),
        JSONL("application/x-ndjson", "jsonl");

        final String contentType;
        final String extension;

        Format(String contentType, String extension) {
            this.contentType = contentType;
            this.extension = extension;
        }
    }

    private static List<String> columns() {
        List<String> c = new ArrayList<>(List.of("checkpoint", "status", "verdict"));
        for (Anchor a : Anchor.values()) {
            c.add("mean_residual_" + a.name().toLowerCase(Locale.ROOT));
        }
        c.add("shape_invariance_mean");
        c.add("corr_opnorm_entropy");
        for (Anchor a : Anchor.values()) {
            c.add("verdict_" + a.name().toLowerCase(Locale.ROOT));
        }
        for (Anchor a : Anchor.values()) {
            c.add("anchor_layer_" + a.name().toLowerCase(Locale.ROOT));
        }
        c.add("missing_layers");
        c.add("completed_at");
        c.addAll(
                List.of(
                        "health_state",
                        "health_min_entropy",
                        "health_max_sigma",
                        "health_max_logit"));
        c.addAll(RunTags.CONTEXT_KEYS);
        return List.copyOf(c);
    }

    static String render(KeptHistory history, Format format) {
        return format == Format.CSV ? csv(history.summaries()) : jsonl(history.reports());
    }

    static String csv(List<CheckpointSummary> summaries) {
        StringBuilder out = new StringBuilder(header());
        summaries.forEach(s -> out.append(row(s)));
        return out.toString();
    }

    /** The CSV header line. */
    static String header() {
        return String.join(",", COLUMNS) + "\n";
    }

    /** One checkpoint's CSV line. */
    static String row(CheckpointSummary s) {
        List<String> row = new ArrayList<>();
        row.add(Long.toString(s.getCheckpoint()));
        row.add(text(s.getStatus()));
        row.add(text(s.getVerdict()));
        for (Anchor a : Anchor.values()) {
            AnchorSummary fit = RunSummaries.fit(s, a);
            row.add(fit == null ? "" : number(fit.getMeanResidual()));
        }
        row.add(number(s.getShapeInvarianceMean()));
        row.add(number(s.getCorrOpnormEntropy()));
        for (Anchor a : Anchor.values()) {
            AnchorSummary fit = RunSummaries.fit(s, a);
            row.add(fit == null ? "" : text(fit.getVerdict()));
        }
        for (Anchor a : Anchor.values()) {
            AnchorSummary fit = RunSummaries.fit(s, a);
            row.add(fit == null ? "" : Integer.toString(fit.getAnchorLayer()));
        }
        // one cell: layers separated by spaces, so the row keeps its column count without quoting
        row.add(
                s.getMissingLayers().stream()
                        .map(String::valueOf)
                        .collect(Collectors.joining(" ")));
        row.add(s.getCompletedAt() == null ? "" : Long.toString(s.getCompletedAt().toEpochMilli()));
        HealthSummary health = s.getHealth();
        row.add(health == null ? "" : text(health.getState()));
        row.add(health == null ? "" : number(health.getMinEntropy()));
        row.add(health == null ? "" : number(health.getMaxSigma()));
        row.add(health == null ? "" : number(health.getMaxLogit()));
        for (String key : RunTags.CONTEXT_KEYS) {
            row.add(number(s.getTrainingContext().get(key)));
        }
        return String.join(",", row) + "\n";
    }

    /**
     * The export of {@code runId} from these stores (either may be null: none here), written row by
     * row.
     */
    static void write(
            String runId,
            Format format,
            ReadOnlyKeyValueStore<String, CheckpointSummary> summaries,
            ReadOnlyKeyValueStore<String, byte[]> reports,
            OutputStream out)
            throws IOException {
        Writer w =
                new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 64 * 1024);
        if (format == Format.CSV) {
            w.write(header());
            if (summaries != null) {
                try (KeyValueIterator<String, CheckpointSummary> it =
                        summaries.prefixScan(StoreKeys.runPrefix(runId), RunViews.KEYS)) {
                    while (it.hasNext()) {
                        w.write(row(it.next().value));
                    }
                }
            }
        } else if (reports != null) {
            try (KeyValueIterator<String, byte[]> it =
                    reports.prefixScan(StoreKeys.runPrefix(runId), RunViews.KEYS)) {
                while (it.hasNext()) {
                    w.write(AvroJson.toJsonLine(RunViews.REPORTS.decode(it.next().value)));
                    w.write('\n');
                }
            }
        }
        w.flush();
    }

    static String jsonl(List<CheckpointReport> reports) {
        StringBuilder out = new StringBuilder();
        for (CheckpointReport r : reports) {
            out.append(AvroJson.toJsonLine(r)).append('\n');
        }
        return out.toString();
    }

    private static String text(Object value) {
        return value == null ? "" : value.toString();
    }

    /**
     * Full precision: the shortest decimal that reads back as the same double; undefined values are
     * empty.
     */
    private static String number(Double n) {
        return n == null || !Double.isFinite(n) ? "" : Double.toString(n);
    }
}
