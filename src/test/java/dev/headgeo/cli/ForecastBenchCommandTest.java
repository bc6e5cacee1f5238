package dev.headgeo.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.headgeo.wire.Json;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The early-warning benchmark runs, and with the default settings meets its targets where the noise
 * allows (seeded, so exact).
 */
class ForecastBenchCommandTest {
    @Test
    void defaultsForecastDriftingRunsAheadAndRarelyFlatOnes() throws Exception {
        CliRunner.Result r =
                CliRunner.run(
                        "forecast-bench", "--noise", "0.002", "--runs", "200", "--format", "json");
        List<JsonNode> rows = new ArrayList<>();
        for (String line : r.okOut().strip().split("\n")) {
            rows.add(Json.MAPPER.readTree(line));
        }
        assertThat(rows).hasSize(4 + 3);
        for (JsonNode row : rows) {
            if (row.get("kind").asText().equals("drift")) {
                assertThat(row.get("forecast_share").asDouble())
                        .as(row.toString())
                        .isGreaterThanOrEqualTo(0.8);
                assertThat(row.get("mean_lead").asDouble())
                        .as(row.toString())
                        .isGreaterThanOrEqualTo(2.0);
            } else {
                assertThat(row.get("false_per_100").asDouble())
                        .as(row.toString())
                        .isLessThanOrEqualTo(1.0);
            }
        }
    }

    @Test
    void theTableHasAHeaderAndARowPerCase() {
        String out =
                CliRunner.run(
                                "forecast-bench",
                                "--noise",
                                "0.005",
                                "--rates",
                                "0.01",
                                "--distances",
                                "0.02",
                                "--runs",
                                "20")
                        .okOut();
        assertThat(out)
                .contains(
                        "window 10, horizon 3, agreement 0.80",
                        "| run | drift per checkpoint",
                        "| drifting | 0.010 | 0.005 |",
                        "| flat | 0.02 | 0.005 |");
        assertThat(CliRunner.run("forecast-bench", "--forecast-window", "2").status()).isEqualTo(2);
    }
}
