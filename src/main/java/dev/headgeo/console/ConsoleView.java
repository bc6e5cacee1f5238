package dev.headgeo.console;

import dev.headgeo.avro.Alert;
import dev.headgeo.avro.Anchor;
import dev.headgeo.avro.AnchorFit;
import dev.headgeo.avro.CheckpointReport;
import dev.headgeo.avro.ReportStatus;
import dev.headgeo.avro.Severity;
import dev.headgeo.report.PyFormat;
import dev.headgeo.report.Reports;
import dev.headgeo.stream.RunAlerts;
import dev.headgeo.util.Printable;
import java.io.PrintWriter;
import java.util.Locale;

/** Human-readable lines for reports and alerts, with colour on a terminal. */
public final class ConsoleView {
    private static final String RESET = "\u001b[0m";
    private static final String BOLD_RED = "\u001b[1;31m";
    private static final String YELLOW = "\u001b[33m";
    private static final String GREEN = "\u001b[32m";

    private final PrintWriter out;
    private final boolean colour;

    public ConsoleView(PrintWriter out, boolean colour) {
        this.out = out;
        this.colour = colour;
    }

    /** Colour when standard output is a terminal and NO_COLOR is unset. */
    public static boolean terminal() {
        return System.console() != null && System.getenv("NO_COLOR") == null;
    }

    public void header() {
        out.println(
                String.format(
                        Locale.ROOT,
                        "%-14s %10s  %-10s %-30s %-30s %-30s %s",
                        "run",
                        "checkpoint",
                        "status",
                        "LAST (mean resid)",
                        "MIDDLE",
                        "BEST",
                        "shape stability (mean cos)"));
        out.flush();
    }

    public void report(CheckpointReport r) {
        if (r.getStatus() == ReportStatus.INCOMPLETE) {
            out.println(
                    paint(
                            YELLOW,
                            String.format(
                                    Locale.ROOT,
                                    "%-14s %10d  %-10s missing layers %s of %d",
                                    runCell(r.getRunId()),
                                    r.getCheckpoint(),
                                    "INCOMPLETE",
                                    r.getMissingLayers(),
                                    r.getNumLayers())));
        } else {
            Anchor[] anchors = Anchor.values();
            String[] cells = new String[anchors.length];
            for (int i = 0; i < anchors.length; i++) {
                AnchorFit fit = Reports.fit(r, anchors[i]);
                cells[i] =
                        fit == null
                                ? "-"
                                : fit.getVerdict()
                                        + " ("
                                        + PyFormat.fixed(fit.getMeanResidual(), 4)
                                        + ")"
                                        + (anchors[i] == r.getPrimaryAnchor() ? " *" : "");
            }
            var si = r.getShapeInvariance();
            String shape =
                    si.getStability()
                            + (si.getMean() == null
                                    ? ""
                                    : " (" + PyFormat.fixed(si.getMean(), 3) + ")");
            out.println(
                    String.format(
                            Locale.ROOT,
                            "%-14s %10d  %-10s %-30s %-30s %-30s %s",
                            runCell(r.getRunId()),
                            r.getCheckpoint(),
                            "COMPLETE",
                            cells[0],
                            cells[1],
                            cells[2],
                            shape));
        }
        out.flush();
    }

    /**
     * An alert line by severity: critical in bold red, warning in yellow, a recovery or an end
     * (info) in green with {@code ok}.
     */
    public void alert(Alert a) {
        Severity severity = RunAlerts.severityOf(a);
        String line =
                switch (severity) {
                    case CRITICAL ->
                            paint(
                                    BOLD_RED,
                                    "!! ALERT "
                                            + a.getType()
                                            + " (critical): "
                                            + Printable.of(a.getMessage()));
                    case WARNING ->
                            paint(
                                    YELLOW,
                                    "!  ALERT "
                                            + a.getType()
                                            + ": "
                                            + Printable.of(a.getMessage()));
                    case INFO ->
                            paint(GREEN, "ok " + a.getType() + ": " + Printable.of(a.getMessage()));
                };
        out.println(line);
        out.flush();
    }

    public void progress(String line) {
        out.println(line);
        out.flush();
    }

    /**
     * The run column: escaped, and cut with an ellipsis so that the columns stay aligned (JSON
     * output has the full id).
     */
    /**
     * The run id whole (printable), padded to the column: cut, llama-trainer-1 and llama-trainer-2
     * would read alike.
     */
    static String runCell(String runId) {
        return Printable.of(runId);
    }

    private String paint(String style, String text) {
        return colour ? style + text + RESET : text;
    }
}
