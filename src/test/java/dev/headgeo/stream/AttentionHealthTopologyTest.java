package dev.headgeo.stream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.headgeo.avro.Alert;
import dev.headgeo.avro.AlertType;
import dev.headgeo.avro.CheckpointReport;
import dev.headgeo.avro.HealthState;
import dev.headgeo.avro.LayerGeometry;
import dev.headgeo.avro.LogitBound;
import dev.headgeo.avro.RunState;
import dev.headgeo.dump.LayerRecords;
import dev.headgeo.testing.Golden;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Attention health through the whole topology: judged against the run's previous checkpoint,
 * alerted once, kept for the API.
 */
class AttentionHealthTopologyTest extends TopologyTestBase {
    /**
     * The two_layers dump (2 layers x 2 heads) at a checkpoint, with these entropies and max logits
     * per layer.
     */
    static List<LayerGeometry> layers(
            String run, long checkpoint, double[][] entropy, double[][] logits) {
        List<LayerGeometry> out =
                LayerRecords.split(Golden.dump("two_layers"), run, checkpoint, "tiny", null);
        for (LayerGeometry l : out) {
            l.setMeanAttentionEntropyPerHead(
                    List.of(entropy[l.getLayer()][0], entropy[l.getLayer()][1]));
            l.setMaxAttentionLogitPerHead(
                    logits == null
                            ? null
                            : List.of(logits[l.getLayer()][0], logits[l.getLayer()][1]));
            l.setProbeTokens(128);
        }
        return out;
    }

    @Test
    void aCollapseIsReportedWithItsHeadsAlertedOnceAndResolved() {
        fixture(TopologyFixture.settings(Duration.ofMinutes(10)));
        f.send(
                layers(
                        "r",
                        0,
                        new double[][] {{3.5, 3.6}, {3.4, 3.5}},
                        new double[][] {{1, 1}, {1, 1}}));
        f.send(
                layers(
                        "r",
                        5,
                        new double[][] {{0.04, 0.02}, {0.3, 3.0}},
                        new double[][] {{600, 900}, {300, 2}}));
        f.send(
                layers(
                        "r",
                        10,
                        new double[][] {{0.01, 0.01}, {0.2, 3.0}},
                        new double[][] {{3000, 4000}, {500, 2}}));
        f.send(
                layers(
                        "r",
                        15,
                        new double[][] {{2.5, 2.6}, {2.4, 2.5}},
                        new double[][] {{20, 21}, {19, 20}}));
        List<CheckpointReport> reports = f.reports.readValuesToList();
        assertThat(reports)
                .extracting(r -> r.getAttentionHealth().getState())
                .containsExactly(
                        HealthState.STABLE,
                        HealthState.COLLAPSED,
                        HealthState.COLLAPSED,
                        HealthState.STABLE);

        var collapsed = reports.get(1).getAttentionHealth();
        assertThat(collapsed.getHeads()).containsExactly("0.0", "0.1");
        assertThat(collapsed.getPreviousCheckpoint()).isEqualTo(0L);
        assertThat(collapsed.getProbeTokens()).isEqualTo(128);
        assertThat(collapsed.getEntropyCeiling()).isEqualTo(Math.log(128));
        assertThat(collapsed.getMaxLogit()).isEqualTo(900.0);
        assertThat(collapsed.getLayers().get(0).getLogitBound())
                .isEqualTo(LogitBound.MEASURED_LOGIT);
        assertThat(collapsed.getLayers().get(0).getEntropyChange().get(0)).isEqualTo(0.04 - 3.5);
        assertThat(collapsed.getLayers().get(0).getMaxLogitChange().get(1))
                .isEqualTo(Math.log(900));
        assertThat(reports.get(0).getAttentionHealth().getPreviousCheckpoint()).isNull();
        assertThat(reports.get(0).getDrivers()).isEmpty();
        assertThat(reports.get(1).getDrivers())
                .extracting(d -> d.getSignal() + " " + d.getLayer() + "." + d.getHead())
                .startsWith("ENTROPY 0.1", "ENTROPY 0.0", "ENTROPY 1.0");

        List<Alert> alerts = f.alerts.readValuesToList();
        assertThat(alerts)
                .extracting(a -> a.getType() + "@" + a.getCheckpoint())
                .containsExactly("ENTROPY_COLLAPSE@5", "ENTROPY_COLLAPSE_RESOLVED@15");
        assertThat(alerts.get(0).getHeads()).containsExactly("0.0", "0.1");
        assertThat(alerts.get(0).getDrivers()).isNotEmpty();

        RunState state =
                f.driver
                        .<String, RunState>getKeyValueStore(HeadgeoTopology.RUN_STATE_STORE)
                        .get("r");
        assertThat(state.getLatestComplete().getHealth().getState()).isEqualTo(HealthState.STABLE);
        assertThat(state.getRecentAlerts())
                .extracting(Alert::getType)
                .contains(AlertType.ENTROPY_COLLAPSE);
    }

    @Test
    void recordsWithoutTheVersion3FieldsAreJudgedOnSigmaAndStayStable() {
        fixture(TopologyFixture.settings(Duration.ofMinutes(10)));
        f.send(layers("r", 1, new double[][] {{2.5, 2.6}, {2.4, 2.5}}, null));
        f.send(layers("r", 2, new double[][] {{2.4, 2.6}, {2.4, 2.5}}, null));
        List<CheckpointReport> reports = f.reports.readValuesToList();
        assertThat(reports)
                .extracting(r -> r.getAttentionHealth().getState())
                .containsExactly(HealthState.STABLE, HealthState.STABLE);
        assertThat(reports.get(1).getAttentionHealth().getLayers().get(0).getLogitBound())
                .isEqualTo(LogitBound.METRIC_SIGMA);
        assertThat(reports.get(1).getAttentionHealth().getLayers().get(0).getMaxLogit()).isNull();
        assertThat(f.alerts.readValuesToList()).isEmpty();
    }
}
