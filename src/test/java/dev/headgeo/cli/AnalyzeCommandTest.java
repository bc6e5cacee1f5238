package dev.headgeo.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.headgeo.testing.Golden;
import dev.headgeo.wire.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AnalyzeCommandTest {
    @TempDir Path tmp;

    @Test
    void jsonReportHasTheDesignsFieldsOnOneLine() throws IOException {
        Path dump = Golden.dumpFile("ragged_ranks", tmp);
        CliRunner.Result r = CliRunner.run("analyze", dump.toString(), "--format", "json");

        assertThat(r.status()).isZero();
        assertThat(r.out().strip()).doesNotContain("\n").doesNotContain("NaN");
        JsonNode report = Json.MAPPER.readTree(r.out());
        List<String> fields = new ArrayList<>();
        report.fieldNames().forEachRemaining(fields::add);
        assertThat(fields)
                .containsExactly(
                        "run_id",
                        "checkpoint",
                        "status",
                        "missing_layers",
                        "num_layers",
                        "num_heads",
                        "max_rank",
                        "shape_invariance",
                        "fits",
                        "corr_opnorm_entropy",
                        "cross_head_similarity",
                        "primary_anchor",
                        "verdict",
                        "first_layer_at",
                        "completed_at",
                        "analyzed_at",
                        "model",
                        "tags",
                        "attention_health",
                        "drivers");
        assertThat(report.get("run_id").asText()).isEqualTo("ragged_ranks");
        assertThat(report.get("checkpoint").asLong()).isZero();
        assertThat(report.get("status").asText()).isEqualTo("COMPLETE");
        assertThat(report.get("analyzed_at").isNull()).isTrue();
        assertThat(report.get("fits"))
                .extracting(f -> f.get("anchor").asText())
                .containsExactly("LAST", "MIDDLE", "BEST");
        assertThat(report.get("primary_anchor").asText()).isEqualTo("LAST");
        assertThat(report.get("verdict").asText())
                .isEqualTo(report.get("fits").get(0).get("verdict").asText());
        List<String> fitFields = new ArrayList<>();
        report.get("fits").get(0).fieldNames().forEachRemaining(fitFields::add);
        assertThat(fitFields)
                .containsExactly(
                        "anchor",
                        "anchor_layer",
                        "layers",
                        "mean_residual",
                        "max_residual",
                        "frac_below_0_10",
                        "frac_below_0_20",
                        "corr_scale_entropy",
                        "verdict");
        JsonNode row = report.get("fits").get(0).get("layers").get(1);
        List<String> rowFields = new ArrayList<>();
        row.fieldNames().forEachRemaining(rowFields::add);
        assertThat(rowFields)
                .containsExactly(
                        "layer",
                        "mean_residual",
                        "max_residual",
                        "mean_scale",
                        "head_residuals",
                        "head_scales");
        assertThat(row.get("head_residuals")).hasSize(report.get("num_heads").asInt());
        assertThat(row.get("head_scales")).hasSize(report.get("num_heads").asInt());
        assertThat(report.get("model").isNull()).isTrue();
        assertThat(report.get("tags").isEmpty()).isTrue();
    }

    @Test
    void oneAnchorIsThePrimaryAndRunAndCheckpointAreTaken() throws IOException {
        Path dump = Golden.dumpFile("two_layers", tmp);
        CliRunner.Result r =
                CliRunner.run(
                        "analyze",
                        dump.toString(),
                        "--anchor",
                        "best",
                        "--format",
                        "json",
                        "--run",
                        "gpt-x",
                        "--checkpoint",
                        "1200");

        JsonNode report = Json.MAPPER.readTree(r.okOut());
        assertThat(report.get("fits")).hasSize(1);
        assertThat(report.get("primary_anchor").asText()).isEqualTo("BEST");
        assertThat(report.get("run_id").asText()).isEqualTo("gpt-x");
        assertThat(report.get("checkpoint").asLong()).isEqualTo(1200);
    }

    @Test
    void undefinedNumbersAreNullInJson() throws IOException {
        Path dump = Golden.dumpFile("one_layer_one_head", tmp);
        JsonNode report =
                Json.MAPPER.readTree(
                        CliRunner.run("analyze", dump.toString(), "--format", "json").okOut());

        assertThat(report.get("shape_invariance").get("mean").isNull()).isTrue();
        assertThat(report.get("shape_invariance").get("stability").asText()).isEqualTo("UNDEFINED");
        assertThat(report.get("cross_head_similarity").get(0).isNull()).isTrue();
        assertThat(report.get("fits").get(0).get("corr_scale_entropy").isNull()).isTrue();
    }

    @Test
    void textWithOneAnchorIsTheScriptsReport() {
        Path dump = Golden.dumpFile("zero_heads", tmp);
        CliRunner.Result r = CliRunner.run("analyze", dump.toString(), "--anchor", "middle");

        assertThat(r.status()).isZero();
        assertThat(r.out()).isEqualTo(Golden.scriptOutput("zero_heads", "middle"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            textBlock =
                    """
                    truncated JSON     | {"num_layers": 1, "num_heads": 1,                                                                              | invalid JSON at line 1, column
                    missing field      | {"num_layers": 1, "num_heads": 1, "static": [{"metric_singvals_per_head": [[1]]}]}                             | missing field dynamic
                    static too short   | {"num_layers": 2, "num_heads": 1, "static": [{"metric_singvals_per_head": [[1]]}], "dynamic": [{"mean_attention_entropy_per_head": [1]}, {"mean_attention_entropy_per_head": [1]}]} | static has 1 rows, expected num_layers = 2
                    wrong head count   | {"num_layers": 1, "num_heads": 2, "static": [{"metric_singvals_per_head": [[1]]}], "dynamic": [{"mean_attention_entropy_per_head": [1, 2]}]} | static[0].metric_singvals_per_head has 1 heads, expected num_heads = 2
                    negative value     | {"num_layers": 1, "num_heads": 1, "static": [{"metric_singvals_per_head": [[1, -2]]}], "dynamic": [{"mean_attention_entropy_per_head": [1]}]} | static[0].metric_singvals_per_head[0][1] is negative
                    NaN value          | {"num_layers": 1, "num_heads": 1, "static": [{"metric_singvals_per_head": [[NaN]]}], "dynamic": [{"mean_attention_entropy_per_head": [1]}]} | static[0].metric_singvals_per_head[0][0] is NaN, must be finite
                    infinite entropy   | {"num_layers": 1, "num_heads": 1, "static": [{"metric_singvals_per_head": [[1]]}], "dynamic": [{"mean_attention_entropy_per_head": [Infinity]}]} | dynamic[0].mean_attention_entropy_per_head[0] is Infinity, must be finite
                    empty spectrum     | {"num_layers": 1, "num_heads": 1, "static": [{"metric_singvals_per_head": [[]]}], "dynamic": [{"mean_attention_entropy_per_head": [1]}]} | static[0].metric_singvals_per_head[0] is empty
                    zero layers        | {"num_layers": 0, "num_heads": 1, "static": [], "dynamic": []}                                                 | num_layers must be an integer >= 1
                    string for number  | {"num_layers": 1, "num_heads": 1, "static": [{"metric_singvals_per_head": [["1"]]}], "dynamic": [{"mean_attention_entropy_per_head": [1]}]} | must be a number
                    """)
    void badDumpsGetOneLineAndStatusTwo(String why, String content, String expected)
            throws IOException {
        Path dump = tmp.resolve("bad.json");
        Files.writeString(dump, content);
        for (String command : List.of("analyze", "bench")) {
            CliRunner.Result r = CliRunner.run(command, dump.toString());

            assertThat(r.status()).as(why).isEqualTo(2);
            assertThat(r.out()).isEmpty();
            assertThat(r.err())
                    .contains(expected)
                    .doesNotContain("Exception")
                    .doesNotContain("\tat ")
                    .doesNotContain("REDACTED");
            assertThat(r.err().strip().lines()).hasSize(1);
        }
    }

    @Test
    void missingFileAndBadOptionsGetOneLineAndStatusTwo() {
        assertOneLineStatusTwo(
                CliRunner.run("analyze", tmp.resolve("nope.json").toString()), "no such file");
        Path dump = Golden.dumpFile("two_layers", tmp);
        assertOneLineStatusTwo(
                CliRunner.run("analyze", dump.toString(), "--anchor", "first"), "--anchor");
        assertOneLineStatusTwo(CliRunner.run("analyze"), "DUMP.json");
        assertOneLineStatusTwo(
                CliRunner.run("bench", dump.toString(), "--repeat", "0"), "--repeat");
    }

    private static void assertOneLineStatusTwo(CliRunner.Result r, String mentions) {
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).contains(mentions).doesNotContain("\tat ");
        assertThat(r.err().strip().lines()).hasSize(1);
    }

    @Test
    void benchPrintsOneJsonLine() throws IOException {
        Path dump = Golden.dumpFile("supported_12x12x64", tmp);
        CliRunner.Result r =
                CliRunner.run("bench", dump.toString(), "--repeat", "3", "--warmup", "0");

        assertThat(r.status()).isZero();
        JsonNode line = Json.MAPPER.readTree(r.out());
        assertThat(line.get("layers").asInt()).isEqualTo(12);
        assertThat(line.get("heads").asInt()).isEqualTo(12);
        assertThat(line.get("rank").asInt()).isEqualTo(64);
        assertThat(line.get("repeats").asInt()).isEqualTo(3);
        assertThat(line.get("min_ms").asDouble())
                .isPositive()
                .isLessThanOrEqualTo(line.get("median_ms").asDouble());
    }
}
