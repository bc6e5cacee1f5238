package dev.headgeo.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.headgeo.wire.Json;
import org.junit.jupiter.api.Test;

/**
 * loadtest with small sizes on the embedded broker and processor: every checkpoint sent is reported
 * (no timing asserted).
 */
class LoadTestIT {
    @Test
    void everyCheckpointSentIsReportedAndTheLineHasItsFields() throws Exception {
        CliRunner.Result r =
                CliRunner.run(
                        "loadtest",
                        "--layers",
                        "4",
                        "--heads",
                        "2",
                        "--rank",
                        "8",
                        "--runs",
                        "2",
                        "--rate",
                        "10",
                        "--warmup",
                        "1s",
                        "--steady",
                        "2s",
                        "--burst",
                        "20",
                        "--patience",
                        "60s",
                        "--baseline");

        JsonNode line = Json.MAPPER.readTree(r.out());
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(line.get("sent").asInt()).isEqualTo(50);
        assertThat(line.get("received").asInt()).isEqualTo(50);
        assertThat(line.get("burst_checkpoints_per_s").asDouble()).isPositive();
        for (String phase : new String[] {"steady", "burst"}) {
            double p50 = line.get(phase + "_latency_p50_ms").asDouble();
            assertThat(p50).as(phase).isGreaterThanOrEqualTo(0.0);
            assertThat(line.get(phase + "_latency_p99_ms").asDouble())
                    .as(phase)
                    .isGreaterThanOrEqualTo(p50);
            assertThat(line.get(phase + "_latency_max_ms").asDouble())
                    .as(phase)
                    .isGreaterThanOrEqualTo(line.get(phase + "_latency_p99_ms").asDouble());
        }
        assertThat(line.get("checkpoint_bytes").asLong()).isPositive();
        assertThat(line.get("rss_mb").asDouble()).isPositive();
        // the pass-through baseline moved every record of the burst (20 checkpoints of 4 layers)
        JsonNode baseline = line.get("baseline");
        assertThat(baseline.get("checkpoints").asInt()).isEqualTo(20);
        assertThat(baseline.get("records").asLong()).isEqualTo(80);
        assertThat(baseline.get("checkpoints_per_s").asDouble()).isPositive();
        assertThat(line.get("ratio_to_baseline").asDouble())
                .isCloseTo(
                        line.get("burst_checkpoints_per_s").asDouble()
                                / baseline.get("checkpoints_per_s").asDouble(),
                        org.assertj.core.data.Offset.offset(
                                0.01 + 0.05 * line.get("ratio_to_baseline").asDouble()));
    }
}
