package dev.headgeo.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.headgeo.analysis.AnalysisResult;
import dev.headgeo.analysis.Anchor;
import dev.headgeo.analysis.SaScheduleAnalyzer;
import dev.headgeo.analysis.Spectra;
import dev.headgeo.dump.Dump;
import dev.headgeo.wire.Json;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description =
                "Times the analysis of one dump for all three anchors in-process and prints one"
                        + " JSON line.")
final class BenchCommand implements Callable<Integer> {
    @Mixin ConfigFileOption configFile;

    /** Keeps the JIT from discarding the timed work. */
    static volatile double blackhole;

    private static final Set<Anchor> ALL = EnumSet.allOf(Anchor.class);

    @Spec CommandSpec spec;

    @Parameters(paramLabel = "DUMP.json", description = "The dump, or - for standard input.")
    String dump;

    @Option(
            names = "--repeat",
            defaultValue = "200",
            description = "Timed runs after the warm-up (default: ${DEFAULT-VALUE}).")
    int repeat;

    @Option(
            names = "--warmup",
            defaultValue = "300",
            description =
                    "Untimed runs first, for the JIT; at least 2 s of them (default:"
                            + " ${DEFAULT-VALUE}).")
    int warmup;

    @Override
    public Integer call() {
        if (repeat < 1 || warmup < 0) {
            throw new UserError("--repeat must be >= 1 and --warmup >= 0");
        }
        Dump d = Dumps.load(dump);
        Spectra spectra = d.spectra();
        long warmupEnd = System.nanoTime() + (warmup == 0 ? 0 : 2_000_000_000L);
        for (int i = 0; i < warmup || System.nanoTime() < warmupEnd; i++) {
            timeOnce(spectra);
        }
        double[] ms = new double[repeat];
        for (int i = 0; i < repeat; i++) {
            ms[i] = timeOnce(spectra) / 1e6;
        }
        Arrays.sort(ms);
        double median =
                repeat % 2 == 1 ? ms[repeat / 2] : (ms[repeat / 2 - 1] + ms[repeat / 2]) / 2;
        ObjectNode line =
                Json.MAPPER
                        .createObjectNode()
                        .put("layers", d.numLayers())
                        .put("heads", d.numHeads())
                        .put("rank", spectra.maxRank())
                        .put("anchors", "LAST,MIDDLE,BEST")
                        .put("warmup", warmup)
                        .put("repeats", repeat)
                        .put("median_ms", round3(median))
                        .put("min_ms", round3(ms[0]))
                        .put("max_ms", round3(ms[repeat - 1]));
        spec.commandLine().getOut().println(line);
        spec.commandLine().getOut().flush();
        return 0;
    }

    /**
     * One analysis of all three anchors, in nanoseconds; a method of its own so warm-up and timing
     * run the same code.
     */
    private static long timeOnce(Spectra spectra) {
        long t0 = System.nanoTime();
        AnalysisResult result = SaScheduleAnalyzer.analyze(spectra, ALL);
        long elapsed = System.nanoTime() - t0;
        blackhole += result.fit(Anchor.LAST).meanResidual();
        return elapsed;
    }

    private static double round3(double x) {
        return Math.round(x * 1000) / 1000.0;
    }
}
