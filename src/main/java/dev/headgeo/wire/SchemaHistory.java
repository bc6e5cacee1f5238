package dev.headgeo.wire;

import dev.headgeo.avro.CheckpointReport;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.Schema.Parser;

/**
 * Earlier versions of headgeo's schemas ({@code schemas/history/}), so that values written with
 * them — alerts on a topic, state in a changelog — still decode after an upgrade: single-object
 * encoding names the writer schema by fingerprint, and a decoder resolves only fingerprints it
 * knows.
 */
final class SchemaHistory {
    /** Every earlier version, oldest first, as packaged from schemas/history. */
    private static final List<String> RESOURCES =
            List.of(
                    "alert-v1.avsc",
                    "alert-v2.avsc",
                    "alert-v3.avsc",
                    "run_history-v1.avsc",
                    "run_history-v2.avsc",
                    "checkpoint_report-v1.avsc",
                    "checkpoint_report-v2.avsc",
                    "layer_geometry-v1.avsc",
                    "layer_geometry-v2.avsc",
                    "run_state-v1.avsc",
                    "run_state-v2.avsc",
                    "run_state-v3.avsc",
                    "checkpoint_summary-v1.avsc",
                    "checkpoint_summary-v2.avsc");

    /**
     * The versions written as files that name the report's shared types without defining them;
     * later ones are self-contained.
     */
    private static final List<String> USES_SHARED_TYPES =
            List.of("alert-v1.avsc", "alert-v2.avsc", "run_history-v1.avsc");

    private static final List<Schema> EARLIER = load();

    private SchemaHistory() {}

    /** The earlier versions of the record named like {@code schema}. */
    static List<Schema> earlierVersionsOf(Schema schema) {
        List<Schema> out = new ArrayList<>();
        for (Schema s : EARLIER) {
            if (s.getFullName().equals(schema.getFullName())) {
                out.add(s);
            }
        }
        return out;
    }

    private static List<Schema> load() {
        List<Schema> out = new ArrayList<>();
        for (String name : RESOURCES) {
            // each version is parsed on its own; the first alert and run history versions use the
            // shared named types
            // (Anchor, Verdict, ReportStatus) without defining them and know them from the report's
            // schema
            Parser parser = new Parser();
            if (USES_SHARED_TYPES.contains(name)) {
                parser.addTypes(
                        List.of(
                                CheckpointReport.getClassSchema()
                                        .getField("primary_anchor")
                                        .schema(),
                                dev.headgeo.avro.Verdict.getClassSchema(),
                                dev.headgeo.avro.ReportStatus.getClassSchema()));
            }
            try (InputStream in =
                    SchemaHistory.class.getResourceAsStream("schema-history/" + name)) {
                if (in == null) {
                    throw new IllegalStateException(
                            "schema history " + name + " is missing from the jar");
                }
                out.add(parser.parse(in));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return out;
    }
}
