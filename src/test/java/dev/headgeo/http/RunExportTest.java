package dev.headgeo.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.headgeo.avro.Anchor;
import dev.headgeo.avro.AnchorSummary;
import dev.headgeo.avro.CheckpointSummary;
import dev.headgeo.avro.HealthState;
import dev.headgeo.avro.HealthSummary;
import dev.headgeo.avro.ReportStatus;
import dev.headgeo.avro.Verdict;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RunExportTest {
    static CheckpointSummary summary(HealthSummary health, Map<String, Double> context) {
        return CheckpointSummary.newBuilder()
                .setCheckpoint(200)
                .setStatus(ReportStatus.COMPLETE)
                .setVerdict(Verdict.SUPPORTED)
                .setMissingLayers(List.of())
                .setShapeInvarianceMean(0.1)
                .setCorrOpnormEntropy(null)
                .setCompletedAt(Instant.ofEpochMilli(1_700_000_000_000L))
                .setFits(
                        List.of(
                                new AnchorSummary(
                                        Anchor.LAST,
                                        11,
                                        0.05,
                                        Verdict.SUPPORTED,
                                        List.of(0.1, 0.0))))
                .setHealth(health)
                .setTrainingContext(context)
                .build();
    }

    static Map<String, String> row(CheckpointSummary s) {
        String[] header = RunExport.header().strip().split(",", -1);
        String[] cells = RunExport.row(s).strip().split(",", -1);
        assertThat(cells).hasSameSizeAs(header);
        Map<String, String> out = new LinkedHashMap<>();
        for (int i = 0; i < header.length; i++) {
            out.put(header[i], cells[i]);
        }
        return out;
    }

    @Test
    void theColumnsOfEarlierReleasesKeepTheirPlacesAndTheNewOnesFollow() {
        assertThat(RunExport.COLUMNS.subList(0, 8))
                .containsExactly(
                        "checkpoint",
                        "status",
                        "verdict",
                        "mean_residual_last",
                        "mean_residual_middle",
                        "mean_residual_best",
                        "shape_invariance_mean",
                        "corr_opnorm_entropy");
        assertThat(
                        RunExport.COLUMNS.subList(
                                RunExport.COLUMNS.indexOf("completed_at"),
                                RunExport.COLUMNS.size()))
                .containsExactly(
                        "completed_at",
                        "health_state",
                        "health_min_entropy",
                        "health_max_sigma",
                        "health_max_logit",
                        "loss",
                        "learning_rate",
                        "grad_norm");
    }

    @Test
    void aRowCarriesTheHealthAndTheTrainingContextAtFullPrecision() {
        HealthSummary health =
                new HealthSummary(
                        HealthState.COLLAPSED,
                        List.of("3.1"),
                        1.0E-4,
                        41.25,
                        null,
                        List.of(0.5, 1.0E-4));
        Map<String, String> row =
                row(summary(health, Map.of("loss", 2.0000000000000004, "learning_rate", 3e-4)));
        assertThat(row)
                .containsEntry("health_state", "COLLAPSED")
                .containsEntry("health_min_entropy", "1.0E-4")
                .containsEntry("health_max_sigma", "41.25")
                .containsEntry("health_max_logit", "")
                .containsEntry("loss", "2.0000000000000004")
                .containsEntry("learning_rate", "3.0E-4")
                .containsEntry("grad_norm", "")
                .containsEntry("mean_residual_last", "0.05")
                .containsEntry("mean_residual_middle", "")
                .containsEntry("corr_opnorm_entropy", "");
    }

    @Test
    void aCheckpointWithoutHealthOrContextHasEmptyCells() {
        Map<String, String> row = row(summary(null, Map.of()));
        for (String column :
                List.of(
                        "health_state",
                        "health_min_entropy",
                        "health_max_sigma",
                        "health_max_logit",
                        "loss",
                        "learning_rate",
                        "grad_norm")) {
            assertThat(row.get(column)).as(column).isEmpty();
        }
    }
}
