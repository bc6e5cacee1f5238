package dev.headgeo.cli;

import dev.headgeo.analysis.TrendForecast;
import dev.headgeo.bench.ForecastQuality;
import dev.headgeo.stream.AlertSettings;
import dev.headgeo.wire.Json;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
        name = "forecast-bench",
        mixinStandardHelpOptions = true,
        description = {
            "Measures the early warning (FLIP_FORECAST) on simulated residual series with the"
                    + " processor's own forecaster.",
            "Drifting runs: the share of flips forecast and the lead in checkpoints; flat runs near"
                    + " 0.1: false forecasts per 100 checkpoints."
        })
final class ForecastBenchCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Mixin ConfigFileOption configFile;

    @Option(
            names = "--forecast-window",
            defaultValue = AlertSettings.DEFAULT_FORECAST_WINDOW,
            description = "(default: ${DEFAULT-VALUE})")
    int window;

    @Option(
            names = "--forecast-horizon",
            defaultValue = AlertSettings.DEFAULT_FORECAST_HORIZON,
            description = "(default: ${DEFAULT-VALUE})")
    int horizon;

    @Option(
            names = "--forecast-agreement",
            defaultValue = AlertSettings.DEFAULT_FORECAST_AGREEMENT,
            description = "(default: ${DEFAULT-VALUE})")
    double agreement;

    @Option(
            names = "--noise",
            split = ",",
            defaultValue = "0.002,0.005,0.01",
            description =
                    "Standard deviations of the residual's checkpoint-to-checkpoint noise (default:"
                            + " ${DEFAULT-VALUE}).")
    List<Double> noises;

    @Option(
            names = "--rates",
            split = ",",
            defaultValue = "0.002,0.005,0.01,0.02",
            description =
                    "Drift per checkpoint of the drifting runs, from 0.03 upwards (default:"
                            + " ${DEFAULT-VALUE}).")
    List<Double> rates;

    @Option(
            names = "--distances",
            split = ",",
            defaultValue = "0.01,0.02,0.03",
            description =
                    "Distances of the flat runs from 0.1, half below and half above (default:"
                            + " ${DEFAULT-VALUE}).")
    List<Double> distances;

    @Option(
            names = "--runs",
            defaultValue = "400",
            description = "Simulated runs per row (default: ${DEFAULT-VALUE}).")
    int runs;

    @Option(
            names = "--checkpoints",
            defaultValue = "200",
            description = "Checkpoints per flat run (default: ${DEFAULT-VALUE}).")
    int checkpoints;

    @Option(names = "--seed", defaultValue = "1", description = "(default: ${DEFAULT-VALUE})")
    long seed;

    @Option(
            names = "--format",
            defaultValue = "text",
            description =
                    "text (a Markdown table) or json (a line per row) (default: ${DEFAULT-VALUE}).")
    Format format;

    @Override
    public Integer call() {
        Checks.atLeast("--forecast-window", window, TrendForecast.MIN_POINTS);
        Checks.positive("--forecast-horizon", horizon);
        Checks.fraction("--forecast-agreement", agreement);
        Checks.positive("--runs", runs);
        Checks.positive("--checkpoints", checkpoints);
        ForecastQuality q = new ForecastQuality(window, horizon, agreement);
        PrintWriter out = spec.commandLine().getOut();
        if (format == Format.text) {
            out.printf(
                    Locale.ROOT,
                    "window %d, horizon %d, agreement %.2f; %d runs per row%n%n",
                    window,
                    horizon,
                    agreement,
                    runs);
            out.println(
                    "| run | drift per checkpoint / distance from 0.1 | noise σ | flips forecast |"
                            + " mean lead (checkpoints) | min lead | false forecasts per 100"
                            + " checkpoints |");
            out.println("|---|---|---|---|---|---|---|");
        }
        for (double noise : noises) {
            for (double rate : rates) {
                ForecastQuality.Drift d = q.drift(rate, noise, runs, seed);
                if (format == Format.json) {
                    out.println(
                            Json.MAPPER
                                    .createObjectNode()
                                    .put("kind", "drift")
                                    .put("rate", rate)
                                    .put("noise", noise)
                                    .put("runs", runs)
                                    .put("forecast_share", d.forecastShare())
                                    .put("mean_lead", d.meanLead())
                                    .put("min_lead", d.minLead()));
                } else {
                    out.printf(
                            Locale.ROOT,
                            "| drifting | %.3f | %.3f | %.0f %% | %.1f | %.0f | |%n",
                            rate,
                            noise,
                            100 * d.forecastShare(),
                            d.meanLead(),
                            d.minLead());
                }
            }
            for (double distance : distances) {
                ForecastQuality.Flat f = q.flat(distance, noise, runs, checkpoints, seed);
                if (format == Format.json) {
                    out.println(
                            Json.MAPPER
                                    .createObjectNode()
                                    .put("kind", "flat")
                                    .put("distance", distance)
                                    .put("noise", noise)
                                    .put("runs", runs)
                                    .put("checkpoints", checkpoints)
                                    .put("false_per_100", f.falsePer100()));
                } else {
                    out.printf(
                            Locale.ROOT,
                            "| flat | %.2f | %.3f | | | | %.2f |%n",
                            distance,
                            noise,
                            f.falsePer100());
                }
            }
        }
        out.flush();
        return 0;
    }
}
