package dev.headgeo.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.headgeo.analysis.Anchor;
import dev.headgeo.analysis.SaScheduleAnalyzer;
import dev.headgeo.report.ReportMapper;
import dev.headgeo.testing.Golden;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What watch and demo print per report. */
class ConsoleViewTest {
    @Test
    void runIdsLongerThanTheColumnArePrintedWhole() {
        StringWriter text = new StringWriter();
        ConsoleView view = new ConsoleView(new PrintWriter(text), false);
        var analysis =
                SaScheduleAnalyzer.analyze(
                        Golden.dump("ragged_ranks").spectra(), EnumSet.allOf(Anchor.class));
        for (String run : List.of("llama-trainer-1", "llama-trainer-2")) {
            view.report(
                    ReportMapper.complete(
                            new ReportMapper.Origin(run, 10, null, null, null),
                            analysis,
                            Anchor.LAST));
        }
        view.report(
                ReportMapper.incomplete(
                        new ReportMapper.Origin("llama-trainer-3", 20, null, null, null),
                        4,
                        2,
                        8,
                        List.of(1),
                        Anchor.LAST));
        String[] lines = text.toString().split("\n");
        assertThat(lines).hasSize(3);
        assertThat(lines[0]).startsWith("llama-trainer-1 ");
        assertThat(lines[1]).startsWith("llama-trainer-2 ");
        assertThat(lines[2]).startsWith("llama-trainer-3 ");
        assertThat(text.toString()).doesNotContain("…");
    }
}
