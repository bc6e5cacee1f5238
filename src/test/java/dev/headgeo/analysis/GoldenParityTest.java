package dev.headgeo.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.headgeo.dump.Dump;
import dev.headgeo.report.PyFormat;
import dev.headgeo.report.ReportMapper;
import dev.headgeo.report.TextReport;
import dev.headgeo.testing.Golden;
import dev.headgeo.wire.AvroJson;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every number of the JSON report equals what the reference script printed, to its last printed
 * digit, for every fixture and anchor; and the text report is the script's output verbatim.
 */
class GoldenParityTest {

    static Stream<Arguments> fixturesAndAnchors() {
        List<Arguments> out = new ArrayList<>();
        for (String name : Golden.names()) {
            for (Anchor anchor : Anchor.values()) {
                out.add(Arguments.of(name, anchor));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("fixturesAndAnchors")
    void textReportForOneAnchorIsTheScriptsOutput(String name, Anchor anchor) {
        Dump dump = Golden.dump(name);
        AnalysisResult r = SaScheduleAnalyzer.analyze(dump.spectra(), EnumSet.of(anchor));

        assertThat(TextReport.render(r, anchor)).isEqualTo(script(name, anchor));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("fixturesAndAnchors")
    void jsonReportOfAllAnchorsCarriesTheScriptsNumbers(String name, Anchor anchor) {
        Dump dump = Golden.dump(name);
        AnalysisResult all =
                SaScheduleAnalyzer.analyze(dump.spectra(), EnumSet.allOf(Anchor.class));
        JsonNode report =
                AvroJson.toJson(
                        ReportMapper.complete(
                                new ReportMapper.Origin(name, 0, null, null, null), all, anchor));
        ScriptOutput golden = ScriptOutput.parse(script(name, anchor));

        assertThat(report.get("primary_anchor").asText()).isEqualTo(anchor.name());
        assertThat(report.get("verdict").asText())
                .as("the primary anchor's verdict is the script's")
                .isEqualTo(golden.verdict);

        assertThat(report.get("max_rank").asInt()).isEqualTo(golden.maxRank);
        JsonNode si = report.get("shape_invariance");
        assertThat(
                        List.of(
                                f4(si.get("mean")),
                                f4(si.get("std")),
                                f4(si.get("min")),
                                f4(si.get("max"))))
                .isEqualTo(golden.shapeStats);
        assertThat(f3(si.get("mean"))).isEqualTo(golden.summaryShapeMean);
        assertThat(si.get("stability").asText()).isEqualTo(golden.stabilityName());

        JsonNode fit = report.get("fits").get(anchor.ordinal());
        assertThat(fit.get("anchor").asText()).isEqualTo(anchor.name());
        assertThat(fit.get("anchor_layer").asInt()).isEqualTo(golden.anchorLayer);
        List<String> rows = new ArrayList<>();
        for (JsonNode layer : fit.get("layers")) {
            rows.add(
                    layer.get("layer").asInt()
                            + " "
                            + f4(layer.get("mean_residual"))
                            + " "
                            + f4(layer.get("max_residual"))
                            + " "
                            + f3(layer.get("mean_scale")));
        }
        assertThat(rows).isEqualTo(golden.layerRows);
        assertThat(f4(fit.get("mean_residual"))).isEqualTo(golden.meanResidual);
        assertThat(f3(fit.get("mean_residual"))).isEqualTo(golden.summaryMeanResidual);
        assertThat(f4(fit.get("max_residual"))).isEqualTo(golden.maxResidual);
        assertThat(f3(fit.get("frac_below_0_10"))).isEqualTo(golden.frac10);
        assertThat(f3(fit.get("frac_below_0_20"))).isEqualTo(golden.frac20);
        assertThat(signed3(fit.get("corr_scale_entropy"))).isEqualTo(golden.corrScale);
        assertThat(fit.get("verdict").asText()).isEqualTo(golden.verdict);
        assertThat(signed3(report.get("corr_opnorm_entropy"))).isEqualTo(golden.corrOpNorm);

        List<String> crossHead = new ArrayList<>();
        for (JsonNode v : report.get("cross_head_similarity")) {
            crossHead.add(f4(v));
        }
        assertThat(crossHead).isEqualTo(golden.crossHead);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("fixturesAndAnchors")
    void textReportOfAllAnchorsHoldsEachAnchorsSection(String name, Anchor anchor) {
        Dump dump = Golden.dump(name);
        String all =
                TextReport.render(
                        SaScheduleAnalyzer.analyze(dump.spectra(), EnumSet.allOf(Anchor.class)),
                        Anchor.LAST);
        String single = script(name, anchor);
        String section =
                single.substring(single.indexOf("\n=== (2)"), single.indexOf(" for comparison"));

        assertThat(all).contains(section);
        assertThat(all)
                .contains(
                        single.substring(single.indexOf("=== (3)"), single.indexOf("=== Summary")));
    }

    private static String script(String name, Anchor anchor) {
        return Golden.scriptOutput(name, anchor.name().toLowerCase(Locale.ROOT));
    }

    private static String f4(JsonNode v) {
        return v.isNull() ? "nan" : PyFormat.fixed(v.doubleValue(), 4);
    }

    private static String f3(JsonNode v) {
        return v.isNull() ? "nan" : PyFormat.fixed(v.doubleValue(), 3);
    }

    private static String signed3(JsonNode v) {
        return v.isNull() ? "+nan" : PyFormat.signed(v.doubleValue(), 3);
    }

    /** The numbers of one run of the reference script, as printed. */
    private static final class ScriptOutput {
        int maxRank;
        List<String> shapeStats;
        int anchorLayer;
        final List<String> layerRows = new ArrayList<>();
        String meanResidual;
        String maxResidual;
        String frac10;
        String frac20;
        String corrScale;
        String corrOpNorm;
        final List<String> crossHead = new ArrayList<>();
        String summaryShapeMean;
        String summaryWords;
        String summaryMeanResidual;
        String verdict;

        static ScriptOutput parse(String text) {
            ScriptOutput o = new ScriptOutput();
            o.maxRank = Integer.parseInt(find(text, "max rank (\\d+)"));
            Matcher m =
                    Pattern.compile(" mean (\\S+) std (\\S+) min (\\S+) max (\\S+)\\n")
                            .matcher(text);
            assertThat(m.find()).isTrue();
            o.shapeStats = List.of(m.group(1), m.group(2), m.group(3), m.group(4));
            o.anchorLayer =
                    Integer.parseInt(
                            find(text, "=== \\(2\\) Scalar rescale fit to anchor L=(\\d+)"));
            String table =
                    text.substring(text.indexOf("mean T\n") + 7, text.indexOf("\n overall mean"));
            for (String row : table.strip().split("\n")) {
                o.layerRows.add(String.join(" ", row.strip().split("\\s+")));
            }
            o.meanResidual = find(text, "overall mean residual: (\\S+)");
            o.maxResidual = find(text, "overall max residual: (\\S+)");
            o.frac10 = find(text, "resid < 0\\.10: (\\S+)");
            o.frac20 = find(text, "resid < 0\\.20: (\\S+)");
            o.corrScale = find(text, "corr\\(T_L\\^h, entropy_L\\^h\\) = (\\S+)");
            o.corrOpNorm = find(text, "corr\\(op_norm, entropy\\) = (\\S+)");
            String exp3 =
                    text.substring(
                            text.indexOf("mean pair-cos\n") + 14, text.indexOf("\n=== Summary"));
            for (String row : exp3.strip().split("\n")) {
                o.crossHead.add(row.strip().split("\\s+")[1]);
            }
            o.summaryWords = find(text, "spectral shape is (.+) across layers");
            o.summaryShapeMean = find(text, "per-head mean pairwise cos = (\\S+)\\)");
            o.summaryMeanResidual = find(text, "scalar-rescale fit residual: mean (\\S+)");
            String sentence = text.strip().substring(text.strip().lastIndexOf('\n') + 1).strip();
            o.verdict =
                    sentence.startsWith("HYPOTHESIS SUPPORTED")
                            ? "SUPPORTED"
                            : sentence.startsWith("PARTIALLY SUPPORTED")
                                    ? "PARTIALLY_SUPPORTED"
                                    : "REJECTED";
            return o;
        }

        /**
         * The report's stability name for the script's words ("not stable" with a nan mean is
         * UNDEFINED).
         */
        String stabilityName() {
            return switch (summaryWords) {
                case "very stable" -> "VERY_STABLE";
                case "approximately stable" -> "APPROXIMATELY_STABLE";
                default -> "nan".equals(summaryShapeMean) ? "UNDEFINED" : "NOT_STABLE";
            };
        }

        private static String find(String text, String regex) {
            Matcher m = Pattern.compile(regex).matcher(text);
            assertThat(m.find()).as("script output has %s", regex).isTrue();
            return m.group(1);
        }
    }
}
