package dev.headgeo.analysis;

import java.util.ArrayList;
import java.util.List;

/**
 * Attention health of a checkpoint, judged per head against the run's previous checkpoint: entropy
 * collapse (Zhai et al. 2023, arXiv 2303.06296) and the logit growth that precedes it (Wortsman et
 * al. 2023, arXiv 2309.14322, §3.1.1).
 *
 * <ul>
 *   <li>A head is <b>collapsed</b> when its mean probe entropy is below {@link #COLLAPSED_ENTROPY}:
 *       nearly all of every query's weight on one key. The run is {@code COLLAPSED} when, in some
 *       layer, at least {@link #COLLAPSED_LAYER_FRACTION} of the heads are; a head or two attending
 *       one-hot (previous-token heads, attention sinks) is ordinary and is not.
 *   <li>A head is <b>growing</b> when, since the previous checkpoint, its logit scale grew at least
 *       {@link #GROWTH_FACTOR}-fold while its entropy fell to at most {@link #ENTROPY_FALL} of what
 *       it was, and, where its logits were measured, its largest logit is at least {@link
 *       #LOGIT_LEVEL}. The scale is the measured max logit where the client sent one, else
 *       sigma_max of the metric for blocks without QK-norm; a QK-norm block without a measurement
 *       has no scale to judge (its gains, not sigma_max, bound its logits) and is judged on
 *       collapse only. The run is {@code GROWING} when a head grows and the run is not collapsed. A
 *       head judged growing at the previous checkpoint stays growing while it keeps sharpening (its
 *       scale does not fall and its entropy does not rise) and has not collapsed, so a growth
 *       slowing on its way to collapse is one state, not a string of alerts.
 * </ul>
 *
 * The levels come from the measurements in docs/training.md (Attention health); they are fixed, not
 * tuned per model. Entropies are only judged on probes of at least {@link #MIN_PROBE_TOKENS} tokens
 * (a shorter probe's ceiling, ln T, is too close to the collapse level).
 */
public final class AttentionHealth {
    /**
     * nats: below it a head puts nearly all of each query's weight on one key (0.1 nats is about 98
     * % on one key).
     */
    public static final double COLLAPSED_ENTROPY = 0.1;

    /** Share of a layer's heads that must be collapsed for the run to be COLLAPSED. */
    public static final double COLLAPSED_LAYER_FRACTION = 0.5;

    /** Growth of a head's logit scale since the previous checkpoint that counts as growing. */
    public static final double GROWTH_FACTOR = 2.0;

    /** A growing head's entropy is at most this share of its previous entropy. */
    public static final double ENTROPY_FALL = 0.5;

    /**
     * Measured max logit a growing head has reached at least (stable runs here stayed below 45).
     */
    public static final double LOGIT_LEVEL = 100.0;

    /** Probes shorter than this are not judged for collapse. */
    public static final int MIN_PROBE_TOKENS = 4;

    public enum State {
        STABLE,
        GROWING,
        COLLAPSED
    }

    /** A head, named "L.H" where alerts and reports name heads. */
    public record Head(int layer, int head) {
        @Override
        public String toString() {
            return layer + "." + head;
        }
    }

    /**
     * One layer's health, per head; the change arrays are null without a previous checkpoint.
     *
     * @param entropyChange entropy minus the previous checkpoint's
     * @param sigmaChange log(sigma_max / previous sigma_max), NaN where either is 0
     * @param maxLogitChange log(max logit / previous max logit) where both are positive, else NaN;
     *     null when not measured
     */
    public record Layer(
            int layer,
            double[] entropy,
            double[] entropyChange,
            double[] sigmaMax,
            double[] sigmaChange,
            double[] maxLogit,
            double[] maxLogitChange,
            AttentionSignals.Bound bound,
            List<Integer> collapsedHeads) {}

    /**
     * @param heads the heads that drive the state (collapsed ones when COLLAPSED, growing ones when
     *     GROWING)
     * @param maxLogit NaN when no layer sent logits
     * @param forecastCheckpoint GROWING: when the fastest-falling growing head's entropy reaches
     *     the collapse level; else null
     */
    public record Result(
            State state,
            List<Head> heads,
            Long previousCheckpoint,
            Integer probeTokens,
            double entropyCeiling,
            double minEntropy,
            double maxSigma,
            double maxLogit,
            double collapsedFraction,
            Long forecastCheckpoint,
            List<Layer> layers) {}

    private AttentionHealth() {}

    /** Without heads judged growing at the previous checkpoint. */
    public static Result assess(
            long checkpoint,
            AttentionSignals now,
            AttentionSignals previous,
            long previousCheckpoint) {
        return assess(checkpoint, now, previous, previousCheckpoint, java.util.Set.of());
    }

    /**
     * @param previous the run's previous checkpoint's signals (same shape), or null for none
     * @param previousCheckpoint its checkpoint number (ignored when {@code previous} is null)
     * @param previousGrowing the heads judged growing at the previous checkpoint
     */
    public static Result assess(
            long checkpoint,
            AttentionSignals now,
            AttentionSignals previous,
            long previousCheckpoint,
            java.util.Set<Head> previousGrowing) {
        int layers = now.numLayers();
        int heads = now.numHeads();
        boolean compared =
                previous != null
                        && previous.numLayers() == layers
                        && previous.numHeads() == heads
                        && previousCheckpoint < checkpoint;
        boolean judged = now.probeTokens() == null || now.probeTokens() >= MIN_PROBE_TOKENS;
        List<Layer> out = new ArrayList<>(layers);
        List<Head> collapsed = new ArrayList<>();
        List<Head> growing = new ArrayList<>();
        boolean collapsedLayer = false;
        double minEntropy = Double.POSITIVE_INFINITY;
        double maxSigma = 0;
        double maxLogit = Double.NaN;
        double soonest = Double.POSITIVE_INFINITY;
        for (int l = 0; l < layers; l++) {
            double[] entropy = now.entropy()[l];
            double[] sigma = now.sigmaMax()[l];
            double[] logits = now.maxLogit()[l];
            double[] entropyChange = compared ? new double[heads] : null;
            double[] sigmaChange = compared ? new double[heads] : null;
            double[] logitChange = compared && logits != null ? new double[heads] : null;
            List<Integer> collapsedHere = new ArrayList<>();
            for (int h = 0; h < heads; h++) {
                double e = Math.max(entropy[h], 0);
                minEntropy = Math.min(minEntropy, e);
                maxSigma = Math.max(maxSigma, sigma[h]);
                if (logits != null) {
                    maxLogit = Double.isNaN(maxLogit) ? logits[h] : Math.max(maxLogit, logits[h]);
                }
                if (judged && e < COLLAPSED_ENTROPY) {
                    collapsedHere.add(h);
                    collapsed.add(new Head(l, h));
                }
                if (!compared) {
                    continue;
                }
                double e0 = Math.max(previous.entropy()[l][h], 0);
                entropyChange[h] = e - e0;
                sigmaChange[h] = logRatio(sigma[h], previous.sigmaMax()[l][h]);
                double[] logits0 = previous.maxLogit()[l];
                if (logitChange != null) {
                    logitChange[h] = logits0 == null ? Double.NaN : logRatio(logits[h], logits0[h]);
                }
                boolean grows =
                        growing(now, previous, l, h)
                                || previousGrowing.contains(new Head(l, h))
                                        && sharpening(now, previous, l, h);
                if (judged && grows && e >= COLLAPSED_ENTROPY) {
                    growing.add(new Head(l, h));
                    double fallPerCheckpoint = (e0 - e) / (checkpoint - previousCheckpoint);
                    if (fallPerCheckpoint > 0) {
                        soonest =
                                Math.min(
                                        soonest,
                                        checkpoint + (e - COLLAPSED_ENTROPY) / fallPerCheckpoint);
                    }
                }
            }
            collapsedLayer |=
                    collapsedHere.size() >= COLLAPSED_LAYER_FRACTION * heads
                            && !collapsedHere.isEmpty();
            out.add(
                    new Layer(
                            l,
                            entropy,
                            entropyChange,
                            sigma,
                            sigmaChange,
                            logits,
                            logitChange,
                            now.bound(l),
                            collapsedHere));
        }
        State state =
                collapsedLayer ? State.COLLAPSED : growing.isEmpty() ? State.STABLE : State.GROWING;
        List<Head> drivers =
                switch (state) {
                    case COLLAPSED -> collapsed;
                    case GROWING -> growing;
                    case STABLE -> List.of();
                };
        Long forecast =
                state == State.GROWING && Double.isFinite(soonest)
                        ? (long) Math.ceil(soonest)
                        : null;
        Integer tokens = now.probeTokens();
        return new Result(
                state,
                List.copyOf(drivers),
                compared ? previousCheckpoint : null,
                tokens,
                tokens == null ? Double.NaN : Math.log(tokens),
                minEntropy,
                maxSigma,
                maxLogit,
                (double) collapsed.size() / (layers * heads),
                forecast,
                out);
    }

    /**
     * Whether head (l, h) grew and lost entropy enough since the previous checkpoint (see the class
     * comment).
     */
    static boolean growing(AttentionSignals now, AttentionSignals previous, int l, int h) {
        if (now.bound(l) != previous.bound(l) || now.bound(l) == AttentionSignals.Bound.QK_NORM) {
            return false;
        }
        double scale = now.scale(l, h);
        double scale0 = previous.scale(l, h);
        if (now.bound(l) == AttentionSignals.Bound.MEASURED_LOGIT && scale < LOGIT_LEVEL) {
            return false;
        }
        double e = Math.max(now.entropy()[l][h], 0);
        double e0 = Math.max(previous.entropy()[l][h], 0);
        return scale0 > 0 && scale >= GROWTH_FACTOR * scale0 && e <= ENTROPY_FALL * e0;
    }

    /**
     * Whether head (l, h) kept sharpening since the previous checkpoint: its scale did not fall and
     * its entropy did not rise.
     */
    static boolean sharpening(AttentionSignals now, AttentionSignals previous, int l, int h) {
        if (now.bound(l) != previous.bound(l) || now.bound(l) == AttentionSignals.Bound.QK_NORM) {
            return false;
        }
        return now.scale(l, h) >= previous.scale(l, h)
                && Math.max(now.entropy()[l][h], 0) <= Math.max(previous.entropy()[l][h], 0);
    }

    /** log(a / b), NaN unless both are positive. */
    static double logRatio(double a, double b) {
        return a > 0 && b > 0 ? Math.log(a / b) : Double.NaN;
    }
}
