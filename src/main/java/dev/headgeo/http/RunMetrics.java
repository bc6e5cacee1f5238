package dev.headgeo.http;

import dev.headgeo.avro.Anchor;
import dev.headgeo.avro.AnchorSummary;
import dev.headgeo.avro.CheckpointSummary;
import dev.headgeo.avro.RunState;
import dev.headgeo.client.TagLabels;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToDoubleFunction;

/**
 * The per-run series ({@code headgeo_run_verdict}, {@code headgeo_run_mean_residual}, {@code
 * headgeo_run_shape_invariance}, {@code headgeo_run_last_checkpoint}, {@code
 * headgeo_run_verdict_flips_total}, {@code headgeo_run_incomplete_checkpoints_total}, {@code
 * headgeo_run_trend_per_checkpoint}, {@code headgeo_run_forecast_boundary}, {@code
 * headgeo_run_forecast_crossing_checkpoint}, {@code headgeo_run_incomplete}, {@code
 * headgeo_run_info}, {@code headgeo_attention_health}, {@code headgeo_min_attention_entropy},
 * {@code headgeo_max_attention_sigma}, {@code headgeo_max_attention_logit}), each with the labels
 * of {@link MetricsLimits#labelTags()}, refreshed from this instance's stores before each scrape: a
 * run's series exist only on the instance that owns the run now, and vanish with its state. {@link
 * MetricsLimits} bound how many runs are exported; {@code headgeo_runs_owned} and {@code
 * headgeo_runs_exported} say when some are left out.
 */
final class RunMetrics {
    private final MeterRegistry registry;
    private final MetricsLimits limits;
    private volatile Map<String, RunState> runs = Map.of();
    private final Map<String, List<Meter>> meters = new HashMap<>();
    private final AtomicLong owned = new AtomicLong();
    private final AtomicLong openCheckpoints = new AtomicLong();

    RunMetrics(MeterRegistry registry, MetricsLimits limits) {
        this.registry = registry;
        this.limits = limits;
        Gauge.builder("headgeo.open.checkpoints", openCheckpoints, AtomicLong::get)
                .description("Checkpoints whose layers are still arriving, on this instance")
                .register(registry);
        Gauge.builder("headgeo.runs.owned", owned, AtomicLong::get)
                .description("Runs whose partitions this instance processes")
                .register(registry);
        Gauge.builder("headgeo.runs.exported", this, m -> m.runs.size())
                .description(
                        "Runs with headgeo_run_* series here (reported within the window, at most"
                                + " the limit)")
                .register(registry);
    }

    /**
     * Registers the series of the runs to export now and removes those of runs no longer exported.
     */
    synchronized void refresh(List<RunState> ownedRuns, long open) {
        owned.set(ownedRuns.size());
        openCheckpoints.set(open);
        long since = System.currentTimeMillis() - limits.window().toMillis();
        List<RunState> recent = new ArrayList<>();
        for (RunState s : ownedRuns) {
            if (s.getLastReportAt() >= since) {
                recent.add(s);
            }
        }
        if (recent.size() > limits.maxRuns()) {
            recent.sort(java.util.Comparator.comparingLong(RunState::getLastReportAt).reversed());
            recent = recent.subList(0, limits.maxRuns());
        }
        Map<String, RunState> now = new HashMap<>();
        for (RunState s : recent) {
            // a new key (and new series) when a label changes: the primary anchor, a labelled tag's
            // value
            now.put(
                    s.getRunId()
                            + '\u0000'
                            + s.getPrimaryAnchor()
                            + '\u0000'
                            + TagLabels.of(limits.labelTags(), s.getTags()),
                    s);
        }
        runs = now;
        meters.entrySet()
                .removeIf(
                        e -> {
                            if (now.containsKey(e.getKey())) {
                                return false;
                            }
                            e.getValue().forEach(registry::remove);
                            return true;
                        });
        for (Map.Entry<String, RunState> e : now.entrySet()) {
            meters.computeIfAbsent(e.getKey(), key -> register(key, e.getValue()));
        }
    }

    private List<Meter> register(String key, RunState state) {
        Tags run = Tags.of("run_id", state.getRunId());
        for (Map.Entry<String, String> label :
                TagLabels.of(limits.labelTags(), state.getTags()).entrySet()) {
            run = run.and(label.getKey(), label.getValue());
        }
        List<Meter> out = new ArrayList<>();
        for (Anchor anchor : Anchor.values()) {
            Tags tags = run.and("anchor", anchor.name());
            out.add(
                    gauge(
                            "headgeo.run.verdict",
                            "Verdict of the latest complete checkpoint: 0 SUPPORTED, 1"
                                    + " PARTIALLY_SUPPORTED, 2 REJECTED",
                            tags,
                            key,
                            s -> fitValue(s, anchor, true)));
            out.add(
                    gauge(
                            "headgeo.run.mean.residual",
                            "Mean residual of the latest complete checkpoint",
                            tags,
                            key,
                            s -> fitValue(s, anchor, false)));
        }
        out.add(
                gauge(
                        "headgeo.run.shape.invariance",
                        "Shape invariance mean of the latest complete checkpoint",
                        run,
                        key,
                        s -> {
                            CheckpointSummary latest = s.getLatestComplete();
                            return latest == null || latest.getShapeInvarianceMean() == null
                                    ? Double.NaN
                                    : latest.getShapeInvarianceMean();
                        }));
        out.add(
                gauge(
                        "headgeo.run.last.checkpoint",
                        "Highest reported checkpoint",
                        run,
                        key,
                        RunState::getLastCheckpoint));
        out.add(
                gauge(
                        "headgeo.run.trend.per.checkpoint",
                        "Trend of the primary mean residual per checkpoint interval",
                        run,
                        key,
                        s ->
                                s.getForecast() == null
                                        ? Double.NaN
                                        : s.getForecast().getTrendPerCheckpoint()));
        out.add(
                gauge(
                        "headgeo.run.forecast.boundary",
                        "Verdict boundary the trend is forecast to cross within the horizon (NaN:"
                                + " none)",
                        run,
                        key,
                        s ->
                                s.getForecast() == null || s.getForecast().getBoundary() == null
                                        ? Double.NaN
                                        : s.getForecast().getBoundary()));
        out.add(
                gauge(
                        "headgeo.run.forecast.crossing.checkpoint",
                        "Checkpoint at which the trend reaches that boundary (NaN: none)",
                        run,
                        key,
                        s ->
                                s.getForecast() == null
                                                || s.getForecast().getCrossingCheckpoint() == null
                                        ? Double.NaN
                                        : s.getForecast().getCrossingCheckpoint()));
        out.add(
                gauge(
                        "headgeo.attention.health",
                        "Attention health of the latest complete checkpoint: 0 STABLE, 1 GROWING, 2"
                                + " COLLAPSED",
                        run,
                        key,
                        s -> health(s) == null ? Double.NaN : health(s).getState().ordinal()));
        out.add(
                gauge(
                        "headgeo.min.attention.entropy",
                        "Lowest head entropy on the probe at the latest complete checkpoint (nats)",
                        run,
                        key,
                        s -> health(s) == null ? Double.NaN : health(s).getMinEntropy()));
        out.add(
                gauge(
                        "headgeo.max.attention.sigma",
                        "Largest sigma_max of a head's metric at the latest complete checkpoint",
                        run,
                        key,
                        s -> health(s) == null ? Double.NaN : health(s).getMaxSigma()));
        out.add(
                gauge(
                        "headgeo.max.attention.logit",
                        "Largest measured attention logit at the latest complete checkpoint (NaN:"
                                + " not sent)",
                        run,
                        key,
                        s ->
                                health(s) == null || health(s).getMaxLogit() == null
                                        ? Double.NaN
                                        : health(s).getMaxLogit()));
        out.add(
                gauge(
                        "headgeo.run.info",
                        "1 for each run this instance owns, with its primary anchor",
                        run.and("primary_anchor", state.getPrimaryAnchor().name()),
                        key,
                        s -> 1));
        out.add(
                FunctionCounter.builder(
                                "headgeo.run.verdict.flips",
                                this,
                                m -> m.value(key, s -> s.getFlips() - s.getFlipsBetter()))
                        .description(
                                "VERDICT_FLIP alerts raised for the run, by direction of the"
                                        + " change")
                        .tags(run.and("direction", "worse"))
                        .register(registry));
        out.add(
                FunctionCounter.builder(
                                "headgeo.run.verdict.flips",
                                this,
                                m -> m.value(key, RunState::getFlipsBetter))
                        .description(
                                "VERDICT_FLIP alerts raised for the run, by direction of the"
                                        + " change")
                        .tags(run.and("direction", "better"))
                        .register(registry));
        out.add(
                gauge(
                        "headgeo.run.incomplete",
                        "1 while the run's highest reported checkpoint is incomplete (no later one"
                                + " complete yet)",
                        run,
                        key,
                        s ->
                                s.getLastStatus() == dev.headgeo.avro.ReportStatus.INCOMPLETE
                                                && s.getLastCheckpoint() >= 0
                                        ? 1
                                        : 0));
        out.add(
                FunctionCounter.builder(
                                "headgeo.run.incomplete.checkpoints",
                                this,
                                m -> m.value(key, RunState::getIncompleteCheckpoints))
                        .description("INCOMPLETE_CHECKPOINT alerts raised for the run")
                        .tags(run)
                        .register(registry));
        return out;
    }

    private Gauge gauge(
            String name,
            String description,
            Tags tags,
            String key,
            ToDoubleFunction<RunState> read) {
        return Gauge.builder(name, this, m -> m.value(key, read))
                .description(description)
                .tags(tags)
                .strongReference(true)
                .register(registry);
    }

    private double value(String key, ToDoubleFunction<RunState> read) {
        RunState s = runs.get(key);
        return s == null ? Double.NaN : read.applyAsDouble(s);
    }

    private static dev.headgeo.avro.HealthSummary health(RunState s) {
        return s.getLatestComplete() == null ? null : s.getLatestComplete().getHealth();
    }

    private static double fitValue(RunState s, Anchor anchor, boolean verdict) {
        CheckpointSummary latest = s.getLatestComplete();
        AnchorSummary fit = latest == null ? null : RunSummaries.fit(latest, anchor);
        if (fit == null) {
            return Double.NaN;
        }
        return verdict ? fit.getVerdict().ordinal() : fit.getMeanResidual();
    }
}
