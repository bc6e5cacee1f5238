package dev.headgeo.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.headgeo.report.ReportMapper;
import dev.headgeo.testing.Golden;
import dev.headgeo.testing.Python;
import dev.headgeo.wire.AvroJson;
import dev.headgeo.wire.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every number of the report equals the reference script's own value to 1e-12 (relative above 1),
 * not only to the digits it prints: before the tests, {@code tools/export_reference_values.py} runs
 * the script (a copy in tools/reference) on each golden dump and takes the values out of its
 * main(). Every anchor's fit, with every anchor as the primary, the per-head shape cosines and the
 * per-(layer, head) maps {@code resid_map} and {@code T_map} as {@code head_residuals} and {@code
 * head_scales}.
 */
class GoldenValuesTest {
    static final double TOLERANCE = 1e-12;

    @TempDir static Path exported;

    @BeforeAll
    static void exportTheScriptsValues() throws IOException {
        String python =
                Python.withModules("numpy")
                        .orElseThrow(
                                () ->
                                        new AssertionError(
                                                "the reference script's values are exported by"
                                                        + " python3 with numpy (apt-get install"
                                                        + " python3-numpy)"));
        Python.Run run =
                Python.run(
                        python,
                        List.of("tools/export_reference_values.py", "--out", exported.toString()));
        assertThat(run.status()).as(run.output()).isZero();
    }

    static Stream<Arguments> fixturesAndPrimaries() {
        List<Arguments> out = new ArrayList<>();
        for (String name : Golden.names()) {
            for (Anchor primary : Anchor.values()) {
                out.add(Arguments.of(name, primary));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} primary {1}")
    @MethodSource("fixturesAndPrimaries")
    void everyNumberOfTheReportIsTheScriptsValue(String name, Anchor primary) throws IOException {
        AnalysisResult all =
                SaScheduleAnalyzer.analyze(
                        Golden.dump(name).spectra(), EnumSet.allOf(Anchor.class));
        JsonNode report =
                AvroJson.toJson(
                        ReportMapper.complete(
                                new ReportMapper.Origin(name, 0, null, null, null), all, primary));
        SoftAssertions soft = new SoftAssertions();
        JsonNode anyAnchor = values(name, Anchor.LAST);

        soft.assertThat(report.get("max_rank").asInt())
                .isEqualTo(anyAnchor.get("max_rank").asInt());
        JsonNode si = report.get("shape_invariance");
        close(soft, "shape mean", si.get("mean"), anyAnchor.get("shape_mean"));
        close(soft, "shape std", si.get("std"), anyAnchor.get("shape_std"));
        close(soft, "shape min", si.get("min"), anyAnchor.get("shape_min"));
        close(soft, "shape max", si.get("max"), anyAnchor.get("shape_max"));
        closeAll(soft, "per_head", si.get("per_head"), anyAnchor.get("per_head_cos"));
        close(
                soft,
                "corr_opnorm_entropy",
                report.get("corr_opnorm_entropy"),
                anyAnchor.get("corr_opnorm_entropy"));
        closeAll(
                soft,
                "cross_head_similarity",
                report.get("cross_head_similarity"),
                anyAnchor.get("cross_head"));

        for (JsonNode fit : report.get("fits")) {
            Anchor anchor = Anchor.valueOf(fit.get("anchor").asText());
            JsonNode v = values(name, anchor);
            String at = anchor + " ";
            soft.assertThat(fit.get("anchor_layer").asInt())
                    .as(at + "anchor_layer")
                    .isEqualTo(v.get("anchor_layer").asInt());
            close(soft, at + "mean_residual", fit.get("mean_residual"), v.get("mean_residual"));
            close(soft, at + "max_residual", fit.get("max_residual"), v.get("max_residual"));
            close(
                    soft,
                    at + "frac_below_0_10",
                    fit.get("frac_below_0_10"),
                    v.get("frac_below_010"));
            close(
                    soft,
                    at + "frac_below_0_20",
                    fit.get("frac_below_0_20"),
                    v.get("frac_below_020"));
            close(
                    soft,
                    at + "corr_scale_entropy",
                    fit.get("corr_scale_entropy"),
                    v.get("corr_scale_entropy"));
            soft.assertThat(fit.get("verdict").asText())
                    .as(at + "verdict")
                    .isEqualTo(verdictOf(v.get("mean_residual").asDouble()));
            JsonNode layers = fit.get("layers");
            soft.assertThat(layers.size())
                    .as(at + "layers")
                    .isEqualTo(v.get("layer_mean_resid").size());
            for (int l = 0; l < layers.size(); l++) {
                JsonNode row = layers.get(l);
                soft.assertThat(row.get("layer").asInt()).isEqualTo(l);
                close(
                        soft,
                        at + "layer " + l + " mean_residual",
                        row.get("mean_residual"),
                        v.get("layer_mean_resid").get(l));
                close(
                        soft,
                        at + "layer " + l + " max_residual",
                        row.get("max_residual"),
                        v.get("layer_max_resid").get(l));
                close(
                        soft,
                        at + "layer " + l + " mean_scale",
                        row.get("mean_scale"),
                        v.get("layer_mean_T").get(l));
                closeAll(
                        soft,
                        at + "layer " + l + " head_residuals",
                        row.get("head_residuals"),
                        v.get("resid_map").get(l));
                closeAll(
                        soft,
                        at + "layer " + l + " head_scales",
                        row.get("head_scales"),
                        v.get("T_map").get(l));
            }
        }
        soft.assertThat(report.get("primary_anchor").asText()).isEqualTo(primary.name());
        soft.assertThat(report.get("verdict").asText())
                .as("the primary anchor's verdict")
                .isEqualTo(verdictOf(values(name, primary).get("mean_residual").asDouble()));
        soft.assertAll();
    }

    static JsonNode values(String name, Anchor anchor) throws IOException {
        Path file =
                exported.resolve(
                        name + "." + anchor.name().toLowerCase(Locale.ROOT) + ".values.json");
        return Json.MAPPER.readTree(Files.readString(file));
    }

    /**
     * The script's verdict thresholds, written out here so that a change of them in the code is
     * noticed.
     */
    static String verdictOf(double meanResidual) {
        return meanResidual < 0.1
                ? "SUPPORTED"
                : meanResidual < 0.3 ? "PARTIALLY_SUPPORTED" : "REJECTED";
    }

    static void closeAll(SoftAssertions soft, String what, JsonNode actual, JsonNode expected) {
        soft.assertThat(actual.size()).as(what + " length").isEqualTo(expected.size());
        for (int i = 0; i < Math.min(actual.size(), expected.size()); i++) {
            close(soft, what + "[" + i + "]", actual.get(i), expected.get(i));
        }
    }

    /**
     * Equal to 1e-12 (relative for magnitudes above 1); null (the script's nan) only where the
     * script's is.
     */
    static void close(SoftAssertions soft, String what, JsonNode actual, JsonNode expected) {
        if (expected == null || expected.isNull()) {
            soft.assertThat(actual == null || actual.isNull())
                    .as(what + " is null (nan in the script), was " + actual)
                    .isTrue();
            return;
        }
        if (actual == null || actual.isNull()) {
            soft.fail(what + " is null, the script's is " + expected.asDouble());
            return;
        }
        double e = expected.asDouble();
        soft.assertThat(actual.asDouble())
                .as(what)
                .isCloseTo(
                        e,
                        org.assertj.core.data.Offset.offset(TOLERANCE * Math.max(1, Math.abs(e))));
    }
}
