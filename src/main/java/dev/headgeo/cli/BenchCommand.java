package dev.headgeo.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.headgeo.analysis.Anchor;
import dev.headgeo.analysis.SaScheduleAnalyzer;
import dev.headgeo.analysis.Spectra;
import dev.headgeo.dump.Dump;
import dev.headgeo.wire.Json;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Times the analysis of one dump for all three anchors in-process and prints one JSON line.")
final class BenchCommand implements Callable<Integer> {
    /** Keeps the JIT from discarding the timed work. */
    static volatile double blackhole;

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "DUMP.json", description = "The dump, or - for standard input.")
    String dump;

    @Option(names = "--repeat", defaultValue = "50", description = "Timed runs after the warm-up (default: ${DEFAULT-VALUE}).")
    int repeat;

    @Option(names = "--warmup", defaultValue = "20", description = "Untimed runs first, for the JIT (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Override
    public Integer call() {
        if (repeat < 1 || warmup < 0) {
            throw new UserError("--repeat must be >= 1 and --warmup >= 0");
        }
        Dump d = Dumps.load(dump);
        Spectra spectra = d.spectra();
        EnumSet<Anchor> all = EnumSet.allOf(Anchor.class);
        double sink = 0;
        for (int i = 0; i < warmup; i++) {
            sink += SaScheduleAnalyzer.analyze(spectra, all).fit(Anchor.LAST).meanResidual();
        }
        double[] ms = new double[repeat];
        for (int i = 0; i < repeat; i++) {
            long t0 = System.nanoTime();
            sink += SaScheduleAnalyzer.analyze(spectra, all).fit(Anchor.LAST).meanResidual();
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(ms);
        double median = repeat % 2 == 1 ? ms[repeat / 2] : (ms[repeat / 2 - 1] + ms[repeat / 2]) / 2;
        ObjectNode line = Json.MAPPER.createObjectNode()
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
        blackhole = sink;
        return 0;
    }

    private static double round3(double x) {
        return Math.round(x * 1000) / 1000.0;
    }
}
