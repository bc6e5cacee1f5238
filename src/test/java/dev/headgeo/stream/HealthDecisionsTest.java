package dev.headgeo.stream;

import static dev.headgeo.stream.TrackVerdictsProcessorTest.complete;
import static org.assertj.core.api.Assertions.assertThat;

import dev.headgeo.analysis.AttentionHealth;
import dev.headgeo.analysis.AttentionSignals;
import dev.headgeo.analysis.Drivers;
import dev.headgeo.avro.Alert;
import dev.headgeo.avro.AlertType;
import dev.headgeo.avro.CheckpointReport;
import dev.headgeo.avro.Severity;
import dev.headgeo.report.HealthMapper;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The health alert lifecycle alone: the active set and a report in, alerts and the next active set
 * out.
 */
class HealthDecisionsTest {
    static final long NOW = 1_700_000_000_000L;

    /**
     * A complete report whose attention health is judged from entropies of two layers of two heads
     * (and the previous ones).
     */
    static CheckpointReport judged(
            long checkpoint,
            double[][] entropy,
            double[][] logits,
            double[][] previousEntropy,
            double[][] previousLogits) {
        CheckpointReport r = complete("r", checkpoint, 0.05);
        double[][] sigma = {{1, 1}, {1, 1}};
        AttentionSignals now = new AttentionSignals(entropy, sigma, logits, new boolean[2], 128);
        AttentionSignals before =
                previousEntropy == null
                        ? null
                        : new AttentionSignals(
                                previousEntropy, sigma, previousLogits, new boolean[2], 128);
        r.setAttentionHealth(
                HealthMapper.toAvro(
                        AttentionHealth.assess(checkpoint, now, before, checkpoint - 10)));
        r.setDrivers(
                HealthMapper.toAvro(
                        Drivers.between(
                                new double[] {0.1, 0}, new double[] {0.1, 0}, now, before)));
        return r;
    }

    static final double[][] CALM = {{2.0, 2.1}, {1.9, 2.2}};
    static final double[][] CALM_LOGITS = {{20, 21}, {19, 22}};
    static final double[][] FALLING = {{0.6, 2.1}, {1.9, 2.2}};
    static final double[][] GROWN_LOGITS = {{400, 21}, {19, 22}};
    static final double[][] COLLAPSED = {{0.01, 0.02}, {1.9, 2.2}};

    final List<Alert> alerts = new ArrayList<>();
    List<String> active = List.of();

    void feed(CheckpointReport report, boolean latest) {
        HealthDecisions.Outcome out = HealthDecisions.closed(active, report, latest, NOW);
        alerts.addAll(out.alerts());
        active = out.active();
    }

    List<String> kinds() {
        return alerts.stream().map(a -> a.getType() + "@" + a.getCheckpoint()).toList();
    }

    @Test
    void growthThenCollapseThenRecoveryIsOneAlertPerStateEachEnded() {
        feed(judged(10, CALM, CALM_LOGITS, null, null), true);
        feed(judged(20, FALLING, GROWN_LOGITS, CALM, CALM_LOGITS), true);
        feed(judged(30, COLLAPSED, GROWN_LOGITS, FALLING, GROWN_LOGITS), true);
        feed(judged(40, COLLAPSED, GROWN_LOGITS, COLLAPSED, GROWN_LOGITS), true);
        feed(judged(50, CALM, CALM_LOGITS, COLLAPSED, GROWN_LOGITS), true);
        assertThat(kinds())
                .containsExactly(
                        "LOGIT_GROWTH@20",
                        "LOGIT_GROWTH_RESOLVED@30",
                        "ENTROPY_COLLAPSE@30",
                        "ENTROPY_COLLAPSE_RESOLVED@50");
        assertThat(active).isEmpty();

        Alert growth = alerts.get(0);
        assertThat(growth.getSeverity()).isEqualTo(Severity.WARNING);
        assertThat(growth.getHeads()).containsExactly("0.0");
        assertThat(growth.getForecastCheckpoint())
                .isEqualTo(24L); // entropy 2.0 -> 0.6 over 10 steps: 0.1 reached 3.6 steps later
        assertThat(growth.getDrivers())
                .extracting(d -> d.getSignal() + " " + d.getLayer() + "." + d.getHead())
                .containsExactly("ENTROPY 0.0", "LOGIT_SCALE 0.0");
        assertThat(growth.getMessage())
                .contains("0.0")
                .contains("forecast to collapse by checkpoint 24");

        Alert collapse = alerts.get(2);
        assertThat(collapse.getSeverity()).isEqualTo(Severity.CRITICAL);
        assertThat(collapse.getHeads()).containsExactly("0.0", "0.1");
        assertThat(alerts.get(1).getMessage()).contains("ended in a collapse");
        assertThat(alerts.get(3).getSeverity()).isEqualTo(Severity.INFO);
    }

    @Test
    void aStableRunAlertsNothingAndAnEarlierCheckpointCompletingLateMovesNoState() {
        feed(judged(10, CALM, CALM_LOGITS, null, null), true);
        feed(judged(20, CALM, CALM_LOGITS, CALM, CALM_LOGITS), true);
        assertThat(alerts).isEmpty();
        feed(judged(15, COLLAPSED, GROWN_LOGITS, null, null), false);
        assertThat(alerts).isEmpty();
        assertThat(active).isEmpty();
    }

    @Test
    void reportsWithoutHealthLeaveTheStatesAlone() {
        active = List.of(AlertType.ENTROPY_COLLAPSE.name());
        feed(complete("r", 60, 0.05), true);
        assertThat(alerts).isEmpty();
        assertThat(active).containsExactly("ENTROPY_COLLAPSE");
    }
}
