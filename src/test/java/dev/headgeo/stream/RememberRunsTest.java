package dev.headgeo.stream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.headgeo.avro.AlertType;
import dev.headgeo.avro.CheckpointReport;
import dev.headgeo.avro.CheckpointSummary;
import dev.headgeo.avro.ReportStatus;
import dev.headgeo.avro.RunState;
import dev.headgeo.dump.LayerRecords;
import dev.headgeo.report.Summaries;
import dev.headgeo.testing.Golden;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** remember-runs: the state behind the HTTP API, bounded and dropped like the run history. */
class RememberRunsTest extends TopologyTestBase {

    @BeforeEach
    void start() {
        fixture();
    }

    void send(String fixture, String run, long checkpoint) {
        f.send(LayerRecords.split(Golden.dump(fixture), run, checkpoint, null, null));
    }

    KeyValueStore<String, RunState> runs() {
        return f.driver.getKeyValueStore(HeadgeoTopology.RUN_STATE_STORE);
    }

    KeyValueStore<String, CheckpointSummary> summaries() {
        return f.driver.getKeyValueStore(HeadgeoTopology.CHECKPOINT_SUMMARIES_STORE);
    }

    /** The kept reports, as the Avro bytes the store holds. */
    KeyValueStore<String, byte[]> reports() {
        return f.driver.getKeyValueStore(HeadgeoTopology.RECENT_REPORTS_STORE);
    }

    static final dev.headgeo.wire.AvroCodec<CheckpointReport> REPORTS =
            new dev.headgeo.wire.AvroCodec<>(CheckpointReport.getClassSchema());

    static int count(KeyValueStore<String, ?> store) {
        int n = 0;
        try (var it = store.all()) {
            while (it.hasNext()) {
                it.next();
                n++;
            }
        }
        return n;
    }

    @Test
    void aRunsStateHoldsItsLatestCheckpointsAndAlertsWithTheReportsNumbers() {
        send("supported_12x12x64", "run", 100);
        send("rejected_12x12x64", "run", 200);
        f.send(
                LayerRecords.split(Golden.dump("ragged_ranks"), "run", 150, null, null)
                        .subList(0, 2));
        f.driver.advanceWallClockTime(Duration.ofMinutes(11));
        List<CheckpointReport> sent = f.reports.readValuesToList();
        assertThat(sent).hasSize(3);

        RunState state = runs().get("run");
        assertThat(state.getLastCheckpoint()).isEqualTo(200);
        assertThat(state.getLastStatus()).isEqualTo(ReportStatus.COMPLETE);
        assertThat(state.getLatestComplete()).isEqualTo(Summaries.of(sent.get(1)));
        assertThat(state.getFlips()).isEqualTo(1);
        assertThat(state.getIncompleteCheckpoints()).isEqualTo(1);
        assertThat(state.getRecentAlerts())
                .extracting(a -> a.getType())
                .containsExactly(AlertType.VERDICT_FLIP, AlertType.INCOMPLETE_CHECKPOINT);
        assertThat(state.getSummariesKept()).isEqualTo(3);
        for (CheckpointReport r : sent) {
            String key = StoreKeys.checkpoint("run", r.getCheckpoint());
            assertThat(summaries().get(key)).isEqualTo(Summaries.of(r));
            assertThat(REPORTS.decode(reports().get(key))).isEqualTo(r);
        }
        CheckpointSummary s = summaries().get(StoreKeys.checkpoint("run", 200));
        assertThat(s.getFits()).hasSize(3);
        assertThat(s.getFits().get(0).getLayerMeanResiduals()).hasSize(12);
        assertThat(s.getFits().get(0).getLayerMeanResiduals().get(3))
                .isEqualTo(sent.get(1).getFits().get(0).getLayers().get(3).getMeanResidual());
    }

    @Test
    void summariesAndReportsAreBoundedPerRunNewestKept() {
        f.close();
        fixture(TopologyFixture.settings(Duration.ofMinutes(10)).withKeptReports(5));
        for (long c = 1; c <= 20; c++) {
            send("two_layers", "long-run", c);
        }
        send("two_layers", "other", 1);

        RunState state = runs().get("long-run");
        assertThat(state.getSummariesKept()).isEqualTo(8);
        assertThat(state.getReportsKept()).isEqualTo(5);
        assertThat(count(summaries())).isEqualTo(8 + 1);
        assertThat(count(reports())).isEqualTo(5 + 1);
        assertThat(summaries().get(StoreKeys.checkpoint("long-run", 12))).isNull();
        assertThat(summaries().get(StoreKeys.checkpoint("long-run", 13))).isNotNull();
        assertThat(reports().get(StoreKeys.checkpoint("long-run", 15))).isNull();
        assertThat(reports().get(StoreKeys.checkpoint("long-run", 16))).isNotNull();
        assertThat(state.getLastCheckpoint()).isEqualTo(20);
    }

    @Test
    void aQuietRunsStateGoesWithItsHistory() {
        send("two_layers", "quiet", 1);
        f.driver.advanceWallClockTime(Duration.ofHours(12));
        send("two_layers", "busy", 1);
        f.driver.advanceWallClockTime(Duration.ofHours(13));

        assertThat(runs().get("quiet")).isNull();
        assertThat(summaries().get(StoreKeys.checkpoint("quiet", 1))).isNull();
        assertThat(reports().get(StoreKeys.checkpoint("quiet", 1))).isNull();
        assertThat(runs().get("busy")).isNotNull();
        assertThat(count(summaries())).isEqualTo(1);
    }
}
