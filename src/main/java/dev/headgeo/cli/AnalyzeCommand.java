package dev.headgeo.cli;

import dev.headgeo.analysis.AnalysisResult;
import dev.headgeo.analysis.SaScheduleAnalyzer;
import dev.headgeo.dump.Dump;
import dev.headgeo.report.ReportMapper;
import dev.headgeo.report.TextReport;
import dev.headgeo.wire.AvroJson;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
        name = "analyze",
        mixinStandardHelpOptions = true,
        description =
                "Offline analysis of one dump (the reference script's layout), for all anchors by"
                        + " default.")
final class AnalyzeCommand implements Callable<Integer> {
    @Mixin ConfigFileOption configFile;

    @Spec CommandSpec spec;

    @Parameters(paramLabel = "DUMP.json", description = "The dump, or - for standard input.")
    String dump;

    @Option(
            names = "--anchor",
            defaultValue = "all",
            description = "last, middle, best or all (default: ${DEFAULT-VALUE}).")
    AnchorChoice anchor;

    @Option(
            names = "--format",
            defaultValue = "text",
            description =
                    "text (the script's report) or json (a CheckpointReport line) (default:"
                            + " ${DEFAULT-VALUE}).")
    Format format;

    @Option(
            names = "--run",
            description = "run_id of the JSON report (default: the file name without extension).")
    String run;

    @Option(
            names = "--checkpoint",
            defaultValue = "0",
            description = "checkpoint of the JSON report (default: ${DEFAULT-VALUE}).")
    long checkpoint;

    @Override
    public Integer call() {
        if (checkpoint < 0) {
            throw new UserError("--checkpoint must be >= 0");
        }
        Dump d = Dumps.load(dump);
        AnalysisResult result = SaScheduleAnalyzer.analyze(d.spectra(), anchor.anchors());
        PrintWriter out = spec.commandLine().getOut();
        if (format == Format.json) {
            ReportMapper.Origin origin =
                    new ReportMapper.Origin(runId(), checkpoint, null, null, null);
            out.println(
                    AvroJson.toJsonLine(ReportMapper.complete(origin, result, anchor.primary())));
        } else {
            out.print(TextReport.render(result, anchor.primary()));
        }
        out.flush();
        return 0;
    }

    private String runId() {
        if (run != null) {
            return run;
        }
        if ("-".equals(dump)) {
            return "stdin";
        }
        String name = Path.of(dump).getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot > 0 ? name.substring(0, dot) : name;
    }
}
