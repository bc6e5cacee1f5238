package dev.headgeo.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.headgeo.avro.Anchor;
import dev.headgeo.wire.Json;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A run's kept history taken out for a notebook (design §10): CSV of every kept checkpoint (from the
 * summaries) and JSON lines of every kept full report. Numbers keep full double precision (Java's
 * shortest round-trip form); undefined values are empty cells.
 */
final class RunExport {
    /** The columns §10 fixes, then the per-anchor verdicts and anchor layers, missing layers and time. */
    static final List<String> COLUMNS = columns();

    private RunExport() {
    }

    enum Format {
        CSV("text/csv; charset=utf-8", "csv"), JSONL("application/x-ndjson", "jsonl");

        final String contentType;
        final String extension;

        Format(String contentType, String extension) {
            this.contentType = contentType;
            this.extension = extension;
        }

        static Format parse(String text) {
            String t = text == null ? "csv" : text.toLowerCase(Locale.ROOT);
            for (Format f : values()) {
                if (f.extension.equals(t)) {
                    return f;
                }
            }
            throw HttpError.badRequest("format '" + text + "' is not one of csv, jsonl");
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
        return List.copyOf(c);
    }

    /** {@code history} is {@link RunViews#history}'s answer. */
    static String render(JsonNode history, Format format) {
        return format == Format.CSV ? csv(history.path("summaries")) : jsonl(history.path("reports"));
    }

    static String csv(JsonNode summaries) {
        StringBuilder out = new StringBuilder(String.join(",", COLUMNS)).append('\n');
        for (JsonNode s : summaries) {
            List<String> row = new ArrayList<>();
            row.add(s.path("checkpoint").asText());
            row.add(text(s.path("status")));
            row.add(text(s.path("verdict")));
            for (Anchor a : Anchor.values()) {
                row.add(number(fit(s, a).path("mean_residual")));
            }
            row.add(number(s.path("shape_invariance_mean")));
            row.add(number(s.path("corr_opnorm_entropy")));
            for (Anchor a : Anchor.values()) {
                row.add(text(fit(s, a).path("verdict")));
            }
            for (Anchor a : Anchor.values()) {
                row.add(text(fit(s, a).path("anchor_layer")));
            }
            List<String> missing = new ArrayList<>();
            s.path("missing_layers").forEach(l -> missing.add(l.asText()));
            // one cell: layers separated by spaces, so the row keeps its column count without quoting
            row.add(String.join(" ", missing));
            row.add(text(s.path("completed_at")));
            out.append(String.join(",", row)).append('\n');
        }
        return out.toString();
    }

    static String jsonl(JsonNode reports) {
        StringBuilder out = new StringBuilder();
        for (JsonNode r : reports) {
            try {
                out.append(Json.MAPPER.writeValueAsString(r)).append('\n');
            } catch (JsonProcessingException e) {
                throw new UncheckedIOException(e);
            }
        }
        return out.toString();
    }

    private static JsonNode fit(JsonNode summary, Anchor anchor) {
        for (JsonNode f : summary.path("fits")) {
            if (anchor.name().equals(f.path("anchor").asText())) {
                return f;
            }
        }
        return Json.MAPPER.missingNode();
    }

    private static String text(JsonNode n) {
        return n.isMissingNode() || n.isNull() ? "" : n.asText();
    }

    /** Full precision: the shortest decimal that reads back as the same double. */
    private static String number(JsonNode n) {
        return n.isMissingNode() || n.isNull() ? "" : Double.toString(n.asDouble());
    }
}
