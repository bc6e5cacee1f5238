package dev.headgeo.stream;

import dev.headgeo.analysis.TrendForecast;
import dev.headgeo.avro.Alert;
import dev.headgeo.avro.AnchorFit;
import dev.headgeo.avro.AnchorVerdict;
import dev.headgeo.avro.CheckpointReport;
import dev.headgeo.avro.ClosedCheckpoint;
import dev.headgeo.avro.FlipControl;
import dev.headgeo.avro.Forecast;
import dev.headgeo.avro.ReportStatus;
import dev.headgeo.avro.RunHistory;
import dev.headgeo.avro.Verdict;
import dev.headgeo.report.Reports;
import java.util.ArrayList;
import java.util.List;

/**
 * The alert decisions for a run, as a plain function of its kept history and a closed checkpoint
 * (no Kafka here; {@link TrackVerdictsProcessor} reads and writes the history and sends what this
 * decides):
 *
 * <ul>
 *   <li>VERDICT_FLIP when a completed checkpoint's verdict differs from its nearest earlier or
 *       nearest later completed neighbour (by checkpoint number, so out-of-order completion alerts
 *       each differing pair once); with a flip margin or confirmations, when a new verdict is far
 *       enough past the boundary and has held long enough (taken in arrival order);
 *   <li>INCOMPLETE_CHECKPOINT when a checkpoint timed out;
 *   <li>FLIP_FORECAST when the trend of the primary mean residual over the last complete
 *       checkpoints ({@link TrendForecast}) reaches a verdict boundary within the horizon; once per
 *       forecast crossing, again only after the forecast was withdrawn;
 *   <li>the ends of those states: FLIP_FORECAST_WITHDRAWN when an alerted forecast no longer holds
 *       (withdrawn or come true), INCOMPLETE_RESOLVED when a checkpoint later than the run's
 *       highest (incomplete) one completes;
 *   <li>ENTROPY_COLLAPSE and LOGIT_GROWTH with their ends, from the report's attention health
 *       ({@link HealthDecisions}).
 * </ul>
 *
 * The records themselves, with severity and wording, are {@link RunAlerts}'.
 */
final class VerdictDecisions {
    /** One thing to send. */
    sealed interface Decision permits Raise, Redrawn {}

    /** An alert to raise. */
    record Raise(Alert alert) implements Decision {}

    /** The run's forecast, drawn again (crossing or not). */
    record Redrawn(Forecast forecast) implements Decision {}

    /** The decisions in sending order and the run's history from now on. */
    record Outcome(List<Decision> decisions, RunHistory history) {
        List<Alert> alerts() {
            return decisions.stream()
                    .filter(Raise.class::isInstance)
                    .map(d -> ((Raise) d).alert())
                    .toList();
        }
    }

    private final AlertSettings settings;
    private final int historySize;

    /**
     * @param historySize closed checkpoints kept per run (older ones are forgotten)
     */
    VerdictDecisions(AlertSettings settings, int historySize) {
        this.settings = settings;
        this.historySize = historySize;
    }

    /**
     * What a closed checkpoint of a run means, given the run's history so far (null for none): the
     * decisions in the order they are to be sent, and the history to keep from now on.
     */
    Outcome closed(RunHistory previous, CheckpointReport report, long now) {
        List<Decision> out = new ArrayList<>();
        RunHistory h = previous == null ? null : RunHistory.newBuilder(previous).build();
        if (h == null) {
            h =
                    RunHistory.newBuilder()
                            .setEntries(new ArrayList<>())
                            .setForgottenBelow(-1L)
                            .setLastClosedAt(0L)
                            .build();
        }
        List<ClosedCheckpoint> entries = new ArrayList<>(h.getEntries());
        // the run is in an incomplete spell while its highest closed checkpoint is incomplete
        ClosedCheckpoint highest = entries.isEmpty() ? null : entries.get(entries.size() - 1);
        ClosedCheckpoint closed = closedEntry(report);
        int at = insertionPoint(entries, report.getCheckpoint());
        entries.add(at, closed);
        if (report.getStatus() == ReportStatus.INCOMPLETE) {
            out.add(new Raise(RunAlerts.incomplete(report, now)));
        } else {
            if (highest != null
                    && highest.getStatus() == ReportStatus.INCOMPLETE
                    && report.getCheckpoint() > highest.getCheckpoint()) {
                out.add(
                        new Raise(
                                RunAlerts.incompleteResolved(
                                        report, highest.getCheckpoint(), now)));
            }
            if (settings.immediateFlips()) {
                ClosedCheckpoint earlier = nearestComplete(entries, at, -1);
                ClosedCheckpoint later = nearestComplete(entries, at, +1);
                if (earlier != null && earlier.getVerdict() != closed.getVerdict()) {
                    out.add(new Raise(RunAlerts.flip(report, earlier, closed, now)));
                }
                if (later != null && later.getVerdict() != closed.getVerdict()) {
                    out.add(new Raise(RunAlerts.flip(report, closed, later, now)));
                }
            } else {
                h.setFlipControl(
                        controlledFlip(out, report, h.getFlipControl(), closed, entries, now));
            }
            forecast(out, report, h, entries, now);
            boolean latest = highest == null || report.getCheckpoint() > highest.getCheckpoint();
            HealthDecisions.Outcome health =
                    HealthDecisions.closed(h.getAlertedHealth(), report, latest, now);
            health.alerts().forEach(a -> out.add(new Raise(a)));
            h.setAlertedHealth(health.active());
        }
        long forgottenBelow = h.getForgottenBelow();
        while (entries.size() > historySize) {
            forgottenBelow = Math.max(forgottenBelow, entries.remove(0).getCheckpoint());
        }
        h.setEntries(entries);
        h.setForgottenBelow(forgottenBelow);
        h.setLastClosedAt(now);
        return new Outcome(out, h);
    }

    /**
     * Flip control: the checkpoint's verdict counts as a change only when its residual is more than
     * the margin past the boundary (seen from the confirmed verdict), and is alerted once it has
     * held for the configured number of consecutive complete checkpoints. Checkpoints older than
     * the latest one taken into account are ignored here.
     */
    private FlipControl controlledFlip(
            List<Decision> out,
            CheckpointReport report,
            FlipControl state,
            ClosedCheckpoint closed,
            List<ClosedCheckpoint> entries,
            long now) {
        double r = closed.getMeanResidual();
        if (state == null) {
            return new FlipControl(
                    closed.getVerdict(),
                    closed.getCheckpoint(),
                    r,
                    null,
                    0,
                    closed.getCheckpoint());
        }
        if (closed.getCheckpoint() <= state.getLatestCheckpoint()) {
            return state;
        }
        state.setLatestCheckpoint(closed.getCheckpoint());
        Verdict confirmed = state.getConfirmedVerdict();
        Verdict seen = withMargin(r, confirmed, settings.flipMargin());
        if (seen == confirmed) {
            state.setConfirmedCheckpoint(closed.getCheckpoint());
            state.setConfirmedMeanResidual(r);
            state.setCandidateVerdict(null);
            state.setCandidateCount(0);
            return state;
        }
        if (seen == state.getCandidateVerdict()) {
            state.setCandidateCount(state.getCandidateCount() + 1);
        } else {
            state.setCandidateVerdict(seen);
            state.setCandidateCount(1);
        }
        if (state.getCandidateCount() >= settings.flipConfirmations()) {
            ClosedCheckpoint earlier =
                    new ClosedCheckpoint(
                            state.getConfirmedCheckpoint(),
                            ReportStatus.COMPLETE,
                            confirmed,
                            state.getConfirmedMeanResidual(),
                            anchorVerdictsOf(entries, state.getConfirmedCheckpoint()));
            ClosedCheckpoint later =
                    new ClosedCheckpoint(
                            closed.getCheckpoint(),
                            ReportStatus.COMPLETE,
                            seen,
                            r,
                            closed.getAnchorVerdicts());
            out.add(new Raise(RunAlerts.flip(report, earlier, later, now)));
            return new FlipControl(
                    seen, closed.getCheckpoint(), r, null, 0, closed.getCheckpoint());
        }
        return state;
    }

    private static List<AnchorVerdict> anchorVerdictsOf(
            List<ClosedCheckpoint> entries, long checkpoint) {
        for (ClosedCheckpoint c : entries) {
            if (c.getCheckpoint() == checkpoint) {
                return c.getAnchorVerdicts();
            }
        }
        return List.of();
    }

    /**
     * The verdict of {@code r} with each boundary moved {@code margin} away from {@code from}'s
     * side.
     */
    static Verdict withMargin(double r, Verdict from, double margin) {
        double low = dev.headgeo.analysis.Verdict.SUPPORTED_BELOW;
        double high = dev.headgeo.analysis.Verdict.PARTIALLY_SUPPORTED_BELOW;
        double lowBoundary = from == Verdict.SUPPORTED ? low + margin : low - margin;
        double highBoundary = from == Verdict.REJECTED ? high - margin : high + margin;
        if (r < lowBoundary) {
            return Verdict.SUPPORTED;
        }
        return r < highBoundary ? Verdict.PARTIALLY_SUPPORTED : Verdict.REJECTED;
    }

    /**
     * Re-draws the run's trend over its last complete checkpoints; alerts a new forecast crossing,
     * forgets a withdrawn one.
     */
    private void forecast(
            List<Decision> out,
            CheckpointReport report,
            RunHistory h,
            List<ClosedCheckpoint> entries,
            long now) {
        List<ClosedCheckpoint> complete = new ArrayList<>();
        for (ClosedCheckpoint c : entries) {
            if (c.getStatus() == ReportStatus.COMPLETE && c.getMeanResidual() != null) {
                complete.add(c);
            }
        }
        int n = Math.min(settings.forecastWindow(), complete.size());
        long[] checkpoints = new long[n];
        double[] residuals = new double[n];
        for (int i = 0; i < n; i++) {
            ClosedCheckpoint c = complete.get(complete.size() - n + i);
            checkpoints[i] = c.getCheckpoint();
            residuals[i] = c.getMeanResidual();
        }
        TrendForecast.Result t =
                TrendForecast.evaluate(
                        checkpoints,
                        residuals,
                        settings.forecastHorizon(),
                        settings.forecastAgreement());
        if (t == null) {
            return;
        }
        Forecast f =
                Forecast.newBuilder()
                        .setAnchor(report.getPrimaryAnchor())
                        .setAtCheckpoint(t.latestCheckpoint())
                        .setPoints(t.points())
                        .setCurrentMeanResidual(t.latestResidual())
                        .setLevel(t.level())
                        .setTrendPerCheckpoint(t.trendPerInterval())
                        .setSpacing(t.spacing())
                        .setHorizonCheckpoint(t.horizonCheckpoint())
                        .setForecastMeanResidual(t.forecast())
                        .setAgreement(t.agreement())
                        .setBoundary(t.crossing() ? t.boundary() : null)
                        .setCrossingCheckpoint(t.crossing() ? t.crossingCheckpoint() : null)
                        .build();
        Forecast previous = h.getForecast();
        h.setForecast(f);
        out.add(new Redrawn(f));
        String key = t.crossingKey();
        String alerted = h.getAlertedForecast();
        if (alerted != null
                && !alerted.equals(key)
                && previous != null
                && previous.getBoundary() != null) {
            // the alerted forecast no longer holds: its state ends before a new one may start
            out.add(new Raise(RunAlerts.forecastEnded(report, previous, t.latestResidual(), now)));
        }
        if (key != null && !key.equals(alerted)) {
            out.add(new Raise(RunAlerts.forecast(report, t, now)));
        }
        h.setAlertedForecast(key);
    }

    private static ClosedCheckpoint closedEntry(CheckpointReport report) {
        List<AnchorVerdict> verdicts = new ArrayList<>(report.getFits().size());
        for (AnchorFit fit : report.getFits()) {
            verdicts.add(
                    new AnchorVerdict(fit.getAnchor(), fit.getVerdict(), fit.getMeanResidual()));
        }
        return new ClosedCheckpoint(
                report.getCheckpoint(),
                report.getStatus(),
                report.getVerdict(),
                Reports.primaryMeanResidual(report),
                verdicts);
    }

    private static int insertionPoint(List<ClosedCheckpoint> entries, long checkpoint) {
        int i = 0;
        while (i < entries.size() && entries.get(i).getCheckpoint() < checkpoint) {
            i++;
        }
        return i;
    }

    private static ClosedCheckpoint nearestComplete(
            List<ClosedCheckpoint> entries, int from, int step) {
        for (int i = from + step; i >= 0 && i < entries.size(); i += step) {
            if (entries.get(i).getStatus() == ReportStatus.COMPLETE) {
                return entries.get(i);
            }
        }
        return null;
    }
}
