package dev.headgeo.http.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.headgeo.avro.Anchor;
import dev.headgeo.avro.ReportStatus;
import dev.headgeo.avro.Verdict;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class InstanceRunsTest {
    static final RunSummary A =
            new RunSummary(
                    "a",
                    200L,
                    ReportStatus.COMPLETE,
                    Anchor.LAST,
                    Verdict.SUPPORTED,
                    new AnchorVerdicts(Verdict.SUPPORTED, null, Verdict.REJECTED),
                    new AnchorResiduals(0.05, null, 0.5),
                    null,
                    2,
                    0,
                    1_700_000_000_000L,
                    "m",
                    Map.of("owner", "ana"),
                    List.of());

    @Test
    void aRoundTripKeepsWhichCopyEachRunIs() {
        InstanceRuns runs =
                new InstanceRuns(List.of(A), List.of(RunSummary.gathering("b", List.of())));
        assertThat(InstanceRuns.fromWire(runs.toWire().toString())).isEqualTo(runs);
    }

    /**
     * What a 0.4 instance answers with the local header (its summaries were ObjectNodes with a copy
     * field).
     */
    @Test
    void readsTheAnswerOfARelease04Instance() {
        String fromOld =
                "{\"runs\":[{\"run_id\":\"a\",\"last_checkpoint\":200,\"last_status\":\"COMPLETE\",\"primary_anchor\":\"LAST\","
                    + "\"verdict\":\"SUPPORTED\",\"verdicts\":{\"LAST\":\"SUPPORTED\",\"MIDDLE\":null,\"BEST\":\"REJECTED\"},"
                    + "\"mean_residuals\":{\"LAST\":0.05,\"MIDDLE\":null,\"BEST\":0.5},\"forecast\":null,\"checkpoints\":2,\"flips\":0,"
                    + "\"last_report_at\":1700000000000,\"model\":\"m\",\"tags\":{\"owner\":\"ana\"},\"open_checkpoints\":[],\"copy\":\"active\"},"
                    + "{\"run_id\":\"b\",\"last_checkpoint\":null,\"last_status\":null,\"primary_anchor\":null,\"verdict\":null,\"verdicts\":{},"
                    + "\"mean_residuals\":{},\"forecast\":null,\"checkpoints\":0,\"flips\":0,\"last_report_at\":null,\"model\":null,\"tags\":{},"
                    + "\"open_checkpoints\":[],\"copy\":\"standby\"}],\"missing_instances\":[]}";
        InstanceRuns read = InstanceRuns.fromWire(fromOld);
        assertThat(read.active()).containsExactly(A);
        assertThat(read.standby()).extracting(RunSummary::runId).containsExactly("b");
        assertThat(read.standby().get(0).verdicts()).isEqualTo(AnchorVerdicts.NONE);
    }
}
