package dev.headgeo.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.headgeo.avro.Anchor;
import dev.headgeo.avro.AnchorSummary;
import dev.headgeo.avro.CheckpointSummary;
import dev.headgeo.avro.Forecast;
import dev.headgeo.avro.ReportStatus;
import dev.headgeo.avro.RunState;
import dev.headgeo.avro.Verdict;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class RunMetricsTest {
    static RunState run(String id, Verdict verdict, double residual, int flips) {
        return run(id, verdict, residual, flips, System.currentTimeMillis());
    }

    static RunState run(String id, Verdict verdict, double residual, int flips, long lastReportAt) {
        CheckpointSummary latest =
                CheckpointSummary.newBuilder()
                        .setCheckpoint(300)
                        .setStatus(ReportStatus.COMPLETE)
                        .setVerdict(verdict)
                        .setShapeInvarianceMean(0.97)
                        .setFits(
                                List.of(
                                        new AnchorSummary(
                                                Anchor.LAST,
                                                11,
                                                residual,
                                                verdict,
                                                List.of(residual))))
                        .build();
        return RunState.newBuilder()
                .setRunId(id)
                .setPrimaryAnchor(Anchor.LAST)
                .setLastCheckpoint(300)
                .setLastStatus(ReportStatus.COMPLETE)
                .setLastReportAt(lastReportAt)
                .setLatestComplete(latest)
                .setFlips(flips)
                .setIncompleteCheckpoints(0)
                .setRecentAlerts(List.of())
                .build();
    }

    /**
     * The scrape as series → value ("name{labels}" exactly as exposed), so that assertions compare
     * whole values.
     */
    static Map<String, String> series(String scrape) {
        Map<String, String> out = new TreeMap<>();
        for (String line : scrape.split("\n")) {
            if (!line.startsWith("#") && !line.isBlank()) {
                int space = line.lastIndexOf(' ');
                out.put(line.substring(0, space), line.substring(space + 1));
            }
        }
        return out;
    }

    @Test
    void aRunsSeriesFollowItsStateAndVanishWithIt() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        RunMetrics metrics = new RunMetrics(registry, MetricsLimits.DEFAULT);
        RunState a = run("a", Verdict.PARTIALLY_SUPPORTED, 0.2, 1);
        a.setForecast(
                Forecast.newBuilder()
                        .setAnchor(Anchor.LAST)
                        .setAtCheckpoint(300)
                        .setPoints(5)
                        .setCurrentMeanResidual(0.2)
                        .setLevel(0.21)
                        .setTrendPerCheckpoint(0.025)
                        .setSpacing(100)
                        .setHorizonCheckpoint(1300)
                        .setForecastMeanResidual(0.45)
                        .setAgreement(0.97)
                        .setBoundary(0.3)
                        .setCrossingCheckpoint(700L)
                        .build());

        metrics.refresh(List.of(a, run("b", Verdict.SUPPORTED, 0.05, 0)), 3);
        Map<String, String> scrape = series(registry.scrape());
        assertThat(scrape)
                .containsAllEntriesOf(
                        Map.ofEntries(
                                Map.entry(
                                        "headgeo_run_verdict{anchor=\"LAST\",run_id=\"a\"}", "1.0"),
                                Map.entry(
                                        "headgeo_run_mean_residual{anchor=\"LAST\",run_id=\"a\"}",
                                        "0.2"),
                                Map.entry(
                                        "headgeo_run_verdict{anchor=\"MIDDLE\",run_id=\"a\"}",
                                        "NaN"),
                                Map.entry("headgeo_run_shape_invariance{run_id=\"a\"}", "0.97"),
                                Map.entry("headgeo_run_last_checkpoint{run_id=\"b\"}", "300.0"),
                                Map.entry(
                                        "headgeo_run_trend_per_checkpoint{run_id=\"a\"}", "0.025"),
                                Map.entry("headgeo_run_forecast_boundary{run_id=\"a\"}", "0.3"),
                                Map.entry(
                                        "headgeo_run_forecast_crossing_checkpoint{run_id=\"a\"}",
                                        "700.0"),
                                Map.entry("headgeo_run_trend_per_checkpoint{run_id=\"b\"}", "NaN"),
                                Map.entry("headgeo_run_forecast_boundary{run_id=\"b\"}", "NaN"),
                                Map.entry(
                                        "headgeo_run_forecast_crossing_checkpoint{run_id=\"b\"}",
                                        "NaN"),
                                Map.entry(
                                        "headgeo_run_verdict_flips_total{direction=\"worse\",run_id=\"a\"}",
                                        "1.0"),
                                Map.entry(
                                        "headgeo_run_verdict_flips_total{direction=\"better\",run_id=\"a\"}",
                                        "0.0"),
                                Map.entry("headgeo_run_incomplete{run_id=\"a\"}", "0.0"),
                                Map.entry(
                                        "headgeo_run_incomplete_checkpoints_total{run_id=\"b\"}",
                                        "0.0"),
                                Map.entry(
                                        "headgeo_run_info{primary_anchor=\"LAST\",run_id=\"b\"}",
                                        "1"),
                                Map.entry("headgeo_open_checkpoints", "3.0"),
                                Map.entry("headgeo_runs_owned", "2.0"),
                                Map.entry("headgeo_runs_exported", "2.0")));

        a.setForecast(null);
        RunState later = run("a", Verdict.REJECTED, 0.4, 3);
        later.setFlipsBetter(1);
        later.setLastStatus(dev.headgeo.avro.ReportStatus.INCOMPLETE);
        metrics.refresh(List.of(later), 0);
        scrape = series(registry.scrape());
        assertThat(scrape)
                .containsEntry("headgeo_run_verdict{anchor=\"LAST\",run_id=\"a\"}", "2.0")
                .containsEntry(
                        "headgeo_run_verdict_flips_total{direction=\"worse\",run_id=\"a\"}", "2.0")
                .containsEntry(
                        "headgeo_run_verdict_flips_total{direction=\"better\",run_id=\"a\"}", "1.0")
                .containsEntry("headgeo_run_incomplete{run_id=\"a\"}", "1.0")
                .containsEntry("headgeo_run_forecast_boundary{run_id=\"a\"}", "NaN");
        assertThat(scrape.keySet()).noneMatch(k -> k.contains("run_id=\"b\""));

        metrics.refresh(List.of(), 0);
        assertThat(series(registry.scrape()).keySet()).noneMatch(k -> k.contains("run_id="));
    }

    @Test
    void labelledTagsRideOnEverySeriesOfTheRun() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        RunMetrics metrics =
                new RunMetrics(
                        registry, new MetricsLimits(10, Duration.ofHours(1), List.of("owner")));
        RunState owned = run("a", Verdict.SUPPORTED, 0.05, 0);
        owned.setTags(Map.of("owner", "ana", "lr", "3e-4"));
        metrics.refresh(List.of(owned, run("b", Verdict.SUPPORTED, 0.05, 0)), 0);
        Map<String, String> scrape = series(registry.scrape());
        assertThat(scrape)
                .containsEntry("headgeo_run_incomplete{owner=\"ana\",run_id=\"a\"}", "0.0")
                .containsEntry(
                        "headgeo_run_verdict_flips_total{direction=\"worse\",owner=\"ana\",run_id=\"a\"}",
                        "0.0")
                .containsEntry(
                        "headgeo_run_info{owner=\"ana\",primary_anchor=\"LAST\",run_id=\"a\"}", "1")
                // no owner: an empty label, which Prometheus takes as none
                .containsEntry(
                        "headgeo_run_info{owner=\"\",primary_anchor=\"LAST\",run_id=\"b\"}", "1");
        assertThat(scrape.keySet()).noneMatch(k -> k.contains("lr="));

        owned.setTags(Map.of("owner", "bo"));
        metrics.refresh(List.of(owned), 0);
        scrape = series(registry.scrape());
        assertThat(scrape)
                .containsEntry(
                        "headgeo_run_info{owner=\"bo\",primary_anchor=\"LAST\",run_id=\"a\"}", "1");
        assertThat(scrape.keySet()).noneMatch(k -> k.contains("ana"));
    }

    @Test
    void onlyTheMostRecentlyReportedRunsWithinTheWindowAreExported() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        RunMetrics metrics = new RunMetrics(registry, new MetricsLimits(2, Duration.ofHours(1)));
        long now = System.currentTimeMillis();
        metrics.refresh(
                List.of(
                        run(
                                "old",
                                Verdict.SUPPORTED,
                                0.05,
                                0,
                                now - Duration.ofHours(2).toMillis()),
                        run("r1", Verdict.SUPPORTED, 0.05, 0, now - 3000),
                        run("r2", Verdict.SUPPORTED, 0.05, 0, now - 2000),
                        run("r3", Verdict.SUPPORTED, 0.05, 0, now - 1000)),
                0);
        String scrape = registry.scrape();
        assertThat(scrape)
                .contains(
                        "headgeo_run_last_checkpoint{run_id=\"r2\"}",
                        "headgeo_run_last_checkpoint{run_id=\"r3\"}",
                        "headgeo_runs_owned 4.0",
                        "headgeo_runs_exported 2.0");
        assertThat(scrape).doesNotContain("run_id=\"r1\"", "run_id=\"old\"");
    }
}
