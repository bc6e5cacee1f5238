package dev.headgeo.http;

import dev.headgeo.avro.Anchor;
import dev.headgeo.avro.AnchorSummary;
import dev.headgeo.avro.CheckpointSummary;
import dev.headgeo.avro.Forecast;
import dev.headgeo.avro.RunState;
import dev.headgeo.avro.Verdict;
import dev.headgeo.http.api.AnchorResiduals;
import dev.headgeo.http.api.AnchorVerdicts;
import dev.headgeo.http.api.OpenCheckpointView;
import dev.headgeo.http.api.RunSummary;
import dev.headgeo.http.api.SummaryForecast;
import java.util.List;

/** A run's kept state as its line in {@code /api/runs}. */
final class RunSummaries {
    private RunSummaries() {}

    /** The run's latest checkpoint, and the verdicts of its latest complete one. */
    static RunSummary of(RunState s, List<OpenCheckpointView> open) {
        CheckpointSummary latest = s.getLatestComplete();
        Verdict[] verdicts = new Verdict[Anchor.values().length];
        Double[] residuals = new Double[Anchor.values().length];
        for (Anchor a : Anchor.values()) {
            AnchorSummary fit = latest == null ? null : fit(latest, a);
            if (fit != null) {
                verdicts[a.ordinal()] = fit.getVerdict();
                residuals[a.ordinal()] = finite(fit.getMeanResidual());
            }
        }
        Forecast f = s.getForecast();
        SummaryForecast forecast =
                f == null || f.getBoundary() == null
                        ? null
                        : new SummaryForecast(
                                f.getBoundary(),
                                f.getCrossingCheckpoint(),
                                finite(f.getTrendPerCheckpoint()));
        return new RunSummary(
                s.getRunId(),
                s.getLastCheckpoint(),
                s.getLastStatus(),
                s.getPrimaryAnchor(),
                latest == null ? null : latest.getVerdict(),
                new AnchorVerdicts(
                        verdicts[Anchor.LAST.ordinal()],
                        verdicts[Anchor.MIDDLE.ordinal()],
                        verdicts[Anchor.BEST.ordinal()]),
                new AnchorResiduals(
                        residuals[Anchor.LAST.ordinal()],
                        residuals[Anchor.MIDDLE.ordinal()],
                        residuals[Anchor.BEST.ordinal()]),
                forecast,
                s.getSummariesKept(),
                s.getFlips(),
                s.getLastReportAt(),
                s.getModel(),
                s.getTags(),
                open);
    }

    private static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }

    static AnchorSummary fit(CheckpointSummary summary, Anchor anchor) {
        for (AnchorSummary fit : summary.getFits()) {
            if (fit.getAnchor() == anchor) {
                return fit;
            }
        }
        return null;
    }
}
