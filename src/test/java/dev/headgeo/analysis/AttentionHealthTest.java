package dev.headgeo.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The health judgement alone, on signals shaped like the measurements in docs/training.md. */
class AttentionHealthTest {
    /**
     * Two layers of four heads, every head with the same entropy, sigma_max and (when given) max
     * logit.
     */
    static AttentionSignals uniform(double entropy, double sigma, Double logit, boolean qkNorm) {
        double[][] e = {{entropy, entropy, entropy, entropy}, {entropy, entropy, entropy, entropy}};
        double[][] s = {{sigma, sigma, sigma, sigma}, {sigma, sigma, sigma, sigma}};
        double[][] z =
                logit == null
                        ? new double[2][]
                        : new double[][] {
                            {logit, logit, logit, logit}, {logit, logit, logit, logit}
                        };
        return new AttentionSignals(e, s, z, new boolean[] {qkNorm, qkNorm}, 128);
    }

    @Test
    void aCollapsedLayerMakesTheRunCollapsedAndNamesItsHeads() {
        AttentionSignals s = uniform(2.0, 5, 20.0, false);
        s.entropy()[1] = new double[] {0.01, 0.002, 0.5, 0.0};
        AttentionHealth.Result r = AttentionHealth.assess(10, s, null, -1);
        assertThat(r.state()).isEqualTo(AttentionHealth.State.COLLAPSED);
        assertThat(r.heads()).extracting(Object::toString).containsExactly("1.0", "1.1", "1.3");
        assertThat(r.layers().get(1).collapsedHeads()).containsExactly(0, 1, 3);
        assertThat(r.collapsedFraction()).isEqualTo(3.0 / 8);
        assertThat(r.minEntropy()).isEqualTo(0.0);
        assertThat(r.entropyCeiling()).isEqualTo(Math.log(128));
        assertThat(r.layers().get(0).entropyChange())
                .as("no previous checkpoint, no change")
                .isNull();
    }

    @Test
    void oneOrTwoOneHotHeadsAreOrdinary() {
        AttentionSignals s = uniform(2.0, 5, 20.0, false);
        s.entropy()[0][1] = 0.01; // a previous-token head
        s.entropy()[1][2] = 0.03; // an attention sink
        AttentionHealth.Result r = AttentionHealth.assess(10, s, null, -1);
        assertThat(r.state()).isEqualTo(AttentionHealth.State.STABLE);
        assertThat(r.heads()).isEmpty();
        assertThat(r.layers().get(0).collapsedHeads()).containsExactly(1);
    }

    @Test
    void logitsThatGrowWhileEntropyFallsAreGrowingWithAForecast() {
        // llama, no QK-norm, lr 0.01, steps 10 -> 15 of the sweep: logits 77 -> 189, entropy 0.54
        // -> 0.15
        AttentionSignals before = uniform(3.0, 5, 20.0, false);
        AttentionSignals now = uniform(3.0, 5.5, 22.0, false);
        before.entropy()[0][2] = 0.54;
        before.maxLogit()[0][2] = 77;
        now.entropy()[0][2] = 0.15;
        now.maxLogit()[0][2] = 189;
        AttentionHealth.Result r = AttentionHealth.assess(15, now, before, 10);
        assertThat(r.state()).isEqualTo(AttentionHealth.State.GROWING);
        assertThat(r.heads()).extracting(Object::toString).containsExactly("0.2");
        assertThat(r.previousCheckpoint()).isEqualTo(10L);
        // entropy falls 0.078 per step: from 0.15 to 0.1 in 0.64 steps
        assertThat(r.forecastCheckpoint()).isEqualTo(16L);
        assertThat(r.layers().get(0).maxLogitChange()[2]).isEqualTo(Math.log(189.0 / 77));
        assertThat(r.layers().get(0).entropyChange()[2]).isEqualTo(0.15 - 0.54);
        assertThat(r.maxLogit()).isEqualTo(189.0);
    }

    @Test
    void aGrowthSlowingOnItsWayToCollapseStaysOneState() {
        // llama, lr 0.01, steps 15 -> 20: head 0.2 judged growing at 15, then logits 189 -> 270,
        // entropy 0.148 -> 0.134
        AttentionSignals before = uniform(3.0, 5, 20.0, false);
        AttentionSignals now = uniform(3.0, 5, 20.0, false);
        before.entropy()[0][2] = 0.148;
        before.maxLogit()[0][2] = 189;
        now.entropy()[0][2] = 0.134;
        now.maxLogit()[0][2] = 270;
        java.util.Set<AttentionHealth.Head> growing =
                java.util.Set.of(new AttentionHealth.Head(0, 2));
        assertThat(AttentionHealth.assess(20, now, before, 15, growing).state())
                .isEqualTo(AttentionHealth.State.GROWING);
        assertThat(AttentionHealth.assess(20, now, before, 15).state())
                .as("without the previous judgement: too slow to start one")
                .isEqualTo(AttentionHealth.State.STABLE);
        // it stops growing when its entropy rises again
        now.entropy()[0][2] = 0.4;
        assertThat(AttentionHealth.assess(20, now, before, 15, growing).state())
                .isEqualTo(AttentionHealth.State.STABLE);
    }

    @Test
    void smallLogitsGrowingEarlyInTrainingAreNotGrowth() {
        // llama, lr 1e-3, steps 15 -> 20: entropy 3.28 -> 1.35, max logit 12 -> 16.4 (and from 5.4
        // to 12 before)
        AttentionSignals before = uniform(3.28, 0.6, 5.4, false);
        AttentionSignals now = uniform(1.35, 0.8, 12.1, false);
        assertThat(AttentionHealth.assess(20, now, before, 15).state())
                .isEqualTo(AttentionHealth.State.STABLE);
    }

    @Test
    void withoutMeasuredLogitsSigmaIsTheScaleExceptUnderQkNorm() {
        AttentionSignals before = uniform(2.0, 10, null, false);
        AttentionSignals now = uniform(0.6, 30, null, false);
        assertThat(AttentionHealth.assess(2, now, before, 1).state())
                .isEqualTo(AttentionHealth.State.GROWING);
        assertThat(AttentionHealth.assess(2, now, before, 1).layers().get(0).bound())
                .isEqualTo(AttentionSignals.Bound.METRIC_SIGMA);
        // OLMo2 / Qwen3: sigma_max of the folded metric grows to thousands while the norms bound
        // the logits
        AttentionSignals qkBefore = uniform(2.0, 10, null, true);
        AttentionSignals qkNow = uniform(0.6, 3000, null, true);
        AttentionHealth.Result qk = AttentionHealth.assess(2, qkNow, qkBefore, 1);
        assertThat(qk.state()).isEqualTo(AttentionHealth.State.STABLE);
        assertThat(qk.layers().get(0).bound()).isEqualTo(AttentionSignals.Bound.QK_NORM);
    }

    @Test
    void aLateEarlierCheckpointIsNotComparedWithALaterOne() {
        AttentionSignals later = uniform(2.0, 10, 20.0, false);
        AttentionHealth.Result r =
                AttentionHealth.assess(5, uniform(2.0, 10, 20.0, false), later, 10);
        assertThat(r.previousCheckpoint()).isNull();
        assertThat(r.layers().get(0).entropyChange()).isNull();
    }

    @Test
    void aShortProbeIsNotJudgedForCollapse() {
        AttentionSignals s =
                new AttentionSignals(
                        new double[][] {{0.0, 0.0}},
                        new double[][] {{1, 1}},
                        new double[1][],
                        new boolean[1],
                        2);
        assertThat(AttentionHealth.assess(1, s, null, -1).state())
                .isEqualTo(AttentionHealth.State.STABLE);
    }

    @Test
    void driversAreTheLargestChangesOfEachSignal() {
        AttentionSignals before = uniform(2.0, 10, 20.0, false);
        AttentionSignals now = uniform(2.0, 10, 20.0, false);
        now.entropy()[1][3] = 0.5;
        now.entropy()[0][0] = 1.9;
        now.maxLogit()[1][3] = 200;
        double[] residuals = {0.1, 0.0};
        List<Drivers.Driver> d = Drivers.between(residuals, new double[] {0.05, 0.0}, now, before);
        assertThat(d)
                .extracting(x -> x.signal() + " " + x.where())
                .containsExactly(
                        "MEAN_RESIDUAL 0", "ENTROPY 1.3", "ENTROPY 0.0", "LOGIT_SCALE 1.3");
        assertThat(d.get(3).change()).isEqualTo(Math.log(10));
        assertThat(d.get(0).change()).isEqualTo(0.05);
        assertThat(Drivers.between(residuals, null, now, null)).isEmpty();
    }
}
