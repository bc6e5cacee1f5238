package dev.headgeo.stream;

import dev.headgeo.analysis.TrendForecast;
import dev.headgeo.avro.Alert;
import dev.headgeo.avro.AlertType;
import dev.headgeo.avro.AttentionHealth;
import dev.headgeo.avro.CheckpointReport;
import dev.headgeo.avro.ClosedCheckpoint;
import dev.headgeo.avro.Driver;
import dev.headgeo.avro.DriverSignal;
import dev.headgeo.avro.Forecast;
import dev.headgeo.avro.Severity;
import dev.headgeo.avro.Verdict;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The alert records a run raises, with their severity and wording (design §11): a flip toward a
 * worse verdict is WARNING (CRITICAL into REJECTED), a flip toward a better one a recovery, INFO
 * and worded as one; the records that end a state (a forecast withdrawn, an incomplete spell over)
 * are INFO.
 */
public final class RunAlerts {
    private RunAlerts() {}

    /**
     * True when {@code later} is a better verdict than {@code earlier} (SUPPORTED best, REJECTED
     * worst).
     */
    public static boolean better(Verdict earlier, Verdict later) {
        return later.ordinal() < earlier.ordinal();
    }

    /** The severity of an alert, also for records of earlier versions that carry none. */
    public static Severity severityOf(Alert a) {
        if (a.getSeverity() != null) {
            return a.getSeverity();
        }
        return switch (a.getType()) {
            case VERDICT_FLIP ->
                    a.getEarlierVerdict() == null || a.getLaterVerdict() == null
                            ? Severity.WARNING
                            : flipSeverity(a.getEarlierVerdict(), a.getLaterVerdict());
            case FLIP_FORECAST -> forecastSeverity(a.getTrendPerCheckpoint());
            case INCOMPLETE_CHECKPOINT, ANALYSIS_FAILED, UNKNOWN -> Severity.WARNING;
            case FLIP_FORECAST_WITHDRAWN,
                    INCOMPLETE_RESOLVED,
                    ENTROPY_COLLAPSE_RESOLVED,
                    LOGIT_GROWTH_RESOLVED ->
                    Severity.INFO;
            case ENTROPY_COLLAPSE -> Severity.CRITICAL;
            case LOGIT_GROWTH -> Severity.WARNING;
        };
    }

    static Severity flipSeverity(Verdict earlier, Verdict later) {
        if (better(earlier, later)) {
            return Severity.INFO;
        }
        return later == Verdict.REJECTED ? Severity.CRITICAL : Severity.WARNING;
    }

    /** A forecast toward a worse verdict is a warning; toward a better one, news. */
    public static Severity forecastSeverity(Double trendPerCheckpoint) {
        return trendPerCheckpoint != null && trendPerCheckpoint < 0
                ? Severity.INFO
                : Severity.WARNING;
    }

    static Alert flip(
            CheckpointReport report, ClosedCheckpoint earlier, ClosedCheckpoint later, long now) {
        boolean recovery = better(earlier.getVerdict(), later.getVerdict());
        return base(
                        AlertType.VERDICT_FLIP,
                        report.getRunId(),
                        later.getCheckpoint(),
                        report.getTags(),
                        now)
                .setSeverity(flipSeverity(earlier.getVerdict(), later.getVerdict()))
                .setMessage(
                        "run "
                                + report.getRunId()
                                + ": verdict ("
                                + report.getPrimaryAnchor()
                                + " anchor) "
                                + (recovery ? "recovered" : "flipped")
                                + " from "
                                + earlier.getVerdict()
                                + " at checkpoint "
                                + earlier.getCheckpoint()
                                + " to "
                                + later.getVerdict()
                                + " at checkpoint "
                                + later.getCheckpoint())
                .setAnchor(report.getPrimaryAnchor())
                .setEarlierCheckpoint(earlier.getCheckpoint())
                .setEarlierVerdict(earlier.getVerdict())
                .setEarlierMeanResidual(earlier.getMeanResidual())
                .setEarlierVerdicts(earlier.getAnchorVerdicts())
                .setLaterCheckpoint(later.getCheckpoint())
                .setLaterVerdict(later.getVerdict())
                .setLaterMeanResidual(later.getMeanResidual())
                .setLaterVerdicts(later.getAnchorVerdicts())
                .setDrivers(drivers(report, DriverSignal.MEAN_RESIDUAL))
                .build();
    }

    static Alert forecast(CheckpointReport report, TrendForecast.Result t, long now) {
        String direction = t.rising() ? "rise above" : "fall below";
        return base(
                        AlertType.FLIP_FORECAST,
                        report.getRunId(),
                        t.latestCheckpoint(),
                        report.getTags(),
                        now)
                .setSeverity(forecastSeverity(t.trendPerInterval()))
                .setMessage(
                        String.format(
                                Locale.ROOT,
                                "run %s: mean residual (%s anchor) %.4f at checkpoint %d, trend"
                                    + " %+.4f per checkpoint: forecast to %s %.1f by checkpoint %d",
                                report.getRunId(),
                                report.getPrimaryAnchor(),
                                t.latestResidual(),
                                t.latestCheckpoint(),
                                t.trendPerInterval(),
                                direction,
                                t.boundary(),
                                t.crossingCheckpoint()))
                .setAnchor(report.getPrimaryAnchor())
                .setBoundary(t.boundary())
                .setForecastCheckpoint(t.crossingCheckpoint())
                .setCurrentMeanResidual(t.latestResidual())
                .setTrendPerCheckpoint(t.trendPerInterval())
                .setDrivers(drivers(report, DriverSignal.MEAN_RESIDUAL))
                .build();
    }

    /** The heads of a COLLAPSED checkpoint: CRITICAL. */
    static Alert entropyCollapse(CheckpointReport report, long now) {
        AttentionHealth h = report.getAttentionHealth();
        return base(
                        AlertType.ENTROPY_COLLAPSE,
                        report.getRunId(),
                        report.getCheckpoint(),
                        report.getTags(),
                        now)
                .setSeverity(Severity.CRITICAL)
                .setMessage(
                        String.format(
                                Locale.ROOT,
                                "run %s: attention entropy collapsed at checkpoint %d: %d heads"
                                        + " below %.2f nats (%.0f %% of all, lowest %.4f): %s",
                                report.getRunId(),
                                report.getCheckpoint(),
                                h.getHeads().size(),
                                dev.headgeo.analysis.AttentionHealth.COLLAPSED_ENTROPY,
                                100 * h.getCollapsedFraction(),
                                h.getMinEntropy(),
                                headsText(h.getHeads())))
                .setHeads(h.getHeads())
                .setNumLayers(report.getNumLayers())
                .setDrivers(drivers(report, DriverSignal.ENTROPY, DriverSignal.LOGIT_SCALE))
                .build();
    }

    /**
     * Heads whose logit scale grows while their entropy falls: WARNING, with the checkpoint the
     * collapse is forecast for.
     */
    static Alert logitGrowth(CheckpointReport report, long now) {
        AttentionHealth h = report.getAttentionHealth();
        String logit =
                h.getMaxLogit() == null
                        ? ""
                        : String.format(Locale.ROOT, ", max logit %.1f", h.getMaxLogit());
        String forecast =
                h.getForecastCheckpoint() == null
                        ? ""
                        : ", forecast to collapse by checkpoint " + h.getForecastCheckpoint();
        return base(
                        AlertType.LOGIT_GROWTH,
                        report.getRunId(),
                        report.getCheckpoint(),
                        report.getTags(),
                        now)
                .setSeverity(Severity.WARNING)
                .setMessage(
                        String.format(
                                Locale.ROOT,
                                "run %s: attention logits grow toward collapse at checkpoint %d"
                                        + " (since %d; lowest entropy %.4f%s%s): %s",
                                report.getRunId(),
                                report.getCheckpoint(),
                                h.getPreviousCheckpoint(),
                                h.getMinEntropy(),
                                logit,
                                forecast,
                                headsText(h.getHeads())))
                .setHeads(h.getHeads())
                .setForecastCheckpoint(h.getForecastCheckpoint())
                .setNumLayers(report.getNumLayers())
                .setDrivers(drivers(report, DriverSignal.ENTROPY, DriverSignal.LOGIT_SCALE))
                .build();
    }

    /**
     * The end of a health state ({@code ended}: ENTROPY_COLLAPSE or LOGIT_GROWTH) at a checkpoint
     * whose state is another.
     */
    static Alert healthResolved(CheckpointReport report, AlertType ended, long now) {
        AttentionHealth h = report.getAttentionHealth();
        AlertType type =
                ended == AlertType.ENTROPY_COLLAPSE
                        ? AlertType.ENTROPY_COLLAPSE_RESOLVED
                        : AlertType.LOGIT_GROWTH_RESOLVED;
        String what =
                ended == AlertType.ENTROPY_COLLAPSE
                        ? "attention entropy no longer collapsed"
                        : h.getState() == dev.headgeo.avro.HealthState.COLLAPSED
                                ? "logit growth ended in a collapse"
                                : "attention logits no longer grow toward collapse";
        return base(type, report.getRunId(), report.getCheckpoint(), report.getTags(), now)
                .setSeverity(Severity.INFO)
                .setMessage(
                        String.format(
                                Locale.ROOT,
                                "run %s: %s at checkpoint %d (state %s, lowest entropy %.4f)",
                                report.getRunId(),
                                what,
                                report.getCheckpoint(),
                                h.getState(),
                                h.getMinEntropy()))
                .setNumLayers(report.getNumLayers())
                .setDrivers(drivers(report, DriverSignal.ENTROPY, DriverSignal.LOGIT_SCALE))
                .build();
    }

    /**
     * The report's drivers of the given signals, in the report's order (largest first within a
     * signal).
     */
    static List<Driver> drivers(CheckpointReport report, DriverSignal... signals) {
        List<DriverSignal> wanted = List.of(signals);
        return report.getDrivers().stream().filter(d -> wanted.contains(d.getSignal())).toList();
    }

    /** "L.H", at most 12 of them, then how many more. */
    static String headsText(List<String> heads) {
        int shown = Math.min(heads.size(), 12);
        return String.join(", ", heads.subList(0, shown))
                + (heads.size() > shown ? " and " + (heads.size() - shown) + " more" : "");
    }

    /** Drivers in one line: "layer 3 mean residual +0.0421, head 1.2 entropy -1.80, ...". */
    public static String driversText(List<Driver> drivers) {
        List<String> parts = new java.util.ArrayList<>();
        for (Driver d : drivers) {
            String where =
                    d.getHead() == null
                            ? "layer " + d.getLayer()
                            : "head " + d.getLayer() + "." + d.getHead();
            String what =
                    switch (d.getSignal()) {
                        case MEAN_RESIDUAL -> "mean residual";
                        case ENTROPY -> "entropy";
                        case LOGIT_SCALE -> "logit scale x";
                        case UNKNOWN -> "signal";
                    };
            String change =
                    d.getSignal() == DriverSignal.LOGIT_SCALE
                            ? String.format(Locale.ROOT, "%.3g", Math.exp(d.getChange()))
                            : String.format(Locale.ROOT, " %+.4f", d.getChange());
            parts.add(where + " " + what + change);
        }
        return String.join(", ", parts);
    }

    /**
     * The end of an alerted forecast: {@code ended} is the forecast that was alerted (its boundary
     * and trend, so that a receiver can tell which state ends), {@code now} what the latest
     * checkpoint shows.
     */
    static Alert forecastEnded(
            CheckpointReport report, Forecast ended, double currentResidual, long now) {
        double boundary = ended.getBoundary();
        boolean rising = ended.getTrendPerCheckpoint() > 0;
        boolean cameTrue = rising ? currentResidual >= boundary : currentResidual < boundary;
        String what =
                cameTrue
                        ? String.format(
                                Locale.ROOT,
                                "the forecast came true: mean residual %.4f at checkpoint %d is %s"
                                        + " %.1f",
                                currentResidual,
                                report.getCheckpoint(),
                                rising ? "above" : "below",
                                boundary)
                        : String.format(
                                Locale.ROOT,
                                "the forecast to %s %.1f is withdrawn: mean residual %.4f at"
                                        + " checkpoint %d, the trend no longer reaches it",
                                rising ? "rise above" : "fall below",
                                boundary,
                                currentResidual,
                                report.getCheckpoint());
        return base(
                        AlertType.FLIP_FORECAST_WITHDRAWN,
                        report.getRunId(),
                        report.getCheckpoint(),
                        report.getTags(),
                        now)
                .setSeverity(Severity.INFO)
                .setMessage("run " + report.getRunId() + ": " + what)
                .setAnchor(ended.getAnchor())
                .setBoundary(boundary)
                .setForecastCheckpoint(ended.getCrossingCheckpoint())
                .setCurrentMeanResidual(currentResidual)
                .setTrendPerCheckpoint(ended.getTrendPerCheckpoint())
                .build();
    }

    static Alert incomplete(CheckpointReport report, long now) {
        return base(
                        AlertType.INCOMPLETE_CHECKPOINT,
                        report.getRunId(),
                        report.getCheckpoint(),
                        report.getTags(),
                        now)
                .setSeverity(Severity.WARNING)
                .setMessage(
                        "run "
                                + report.getRunId()
                                + ": checkpoint "
                                + report.getCheckpoint()
                                + " incomplete, its layers stopped arriving: "
                                + report.getMissingLayers().size()
                                + " of "
                                + report.getNumLayers()
                                + " missing "
                                + report.getMissingLayers())
                .setNumLayers(report.getNumLayers())
                .setMissingLayers(report.getMissingLayers())
                .build();
    }

    /**
     * A complete checkpoint after the incomplete one(s) up to {@code lastIncomplete}: the run
     * delivers whole checkpoints again.
     */
    static Alert incompleteResolved(CheckpointReport report, long lastIncomplete, long now) {
        return base(
                        AlertType.INCOMPLETE_RESOLVED,
                        report.getRunId(),
                        report.getCheckpoint(),
                        report.getTags(),
                        now)
                .setSeverity(Severity.INFO)
                .setMessage(
                        "run "
                                + report.getRunId()
                                + ": checkpoint "
                                + report.getCheckpoint()
                                + " complete again after incomplete checkpoint "
                                + lastIncomplete)
                .setEarlierCheckpoint(lastIncomplete)
                .setNumLayers(report.getNumLayers())
                .build();
    }

    static Alert analysisFailed(Flow.AnalysisFailed f, long now) {
        return base(AlertType.ANALYSIS_FAILED, f.runId(), f.checkpoint(), Map.of(), now)
                .setSeverity(Severity.WARNING)
                .setMessage(
                        "run "
                                + f.runId()
                                + ": the analysis of checkpoint "
                                + f.checkpoint()
                                + " failed ("
                                + f.cause()
                                + "); its layers are on the dead-letter topic as PROCESSING_ERROR")
                .setNumLayers(f.numLayers())
                .build();
    }

    private static Alert.Builder base(
            AlertType type, String runId, long checkpoint, Map<String, String> tags, long now) {
        return Alert.newBuilder()
                .setType(type)
                .setRunId(runId)
                .setCheckpoint(checkpoint)
                .setMissingLayers(List.of())
                .setTags(tags == null ? Map.of() : tags)
                .setRaisedAt(Instant.ofEpochMilli(now));
    }
}
