package dev.headgeo.analysis;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The layers and heads that moved most between two checkpoints of a run: per layer its mean
 * residual (primary anchor), per head its entropy and its logit scale ({@link
 * AttentionSignals#scale}). At most {@link #PER_SIGNAL} of each signal, largest change first; what
 * is undefined on either side (a null residual, a scale of 0, a QK-norm block's missing scale) is
 * left out.
 */
public final class Drivers {
    public static final int PER_SIGNAL = 5;

    public enum Signal {
        MEAN_RESIDUAL,
        ENTROPY,
        LOGIT_SCALE
    }

    /**
     * @param head null for a layer's signal
     * @param change current - previous (MEAN_RESIDUAL, ENTROPY) or log(current / previous)
     *     (LOGIT_SCALE)
     */
    public record Driver(
            Signal signal,
            int layer,
            Integer head,
            double previous,
            double current,
            double change) {
        /** "L" or "L.H". */
        public String where() {
            return head == null ? Integer.toString(layer) : layer + "." + head;
        }
    }

    private Drivers() {}

    /**
     * @param residuals per layer mean residual now (NaN where undefined)
     * @param previousResiduals the same at the previous checkpoint; arrays of other lengths are not
     *     compared
     */
    public static List<Driver> between(
            double[] residuals,
            double[] previousResiduals,
            AttentionSignals now,
            AttentionSignals previous) {
        List<Driver> out = new ArrayList<>();
        List<Driver> layers = new ArrayList<>();
        if (previousResiduals != null && previousResiduals.length == residuals.length) {
            for (int l = 0; l < residuals.length; l++) {
                add(
                        layers,
                        Signal.MEAN_RESIDUAL,
                        l,
                        null,
                        previousResiduals[l],
                        residuals[l],
                        residuals[l] - previousResiduals[l]);
            }
        }
        out.addAll(largest(layers));
        if (previous != null
                && previous.numLayers() == now.numLayers()
                && previous.numHeads() == now.numHeads()) {
            List<Driver> entropy = new ArrayList<>();
            List<Driver> scale = new ArrayList<>();
            for (int l = 0; l < now.numLayers(); l++) {
                boolean sameBound = now.bound(l) == previous.bound(l);
                for (int h = 0; h < now.numHeads(); h++) {
                    double e = now.entropy()[l][h];
                    double e0 = previous.entropy()[l][h];
                    add(entropy, Signal.ENTROPY, l, h, e0, e, e - e0);
                    if (sameBound) {
                        double s = now.scale(l, h);
                        double s0 = previous.scale(l, h);
                        add(
                                scale,
                                Signal.LOGIT_SCALE,
                                l,
                                h,
                                s0,
                                s,
                                AttentionHealth.logRatio(s, s0));
                    }
                }
            }
            out.addAll(largest(entropy));
            out.addAll(largest(scale));
        }
        return out;
    }

    private static void add(
            List<Driver> to,
            Signal signal,
            int layer,
            Integer head,
            double previous,
            double current,
            double change) {
        if (Double.isFinite(change) && change != 0) {
            to.add(new Driver(signal, layer, head, previous, current, change));
        }
    }

    private static List<Driver> largest(List<Driver> candidates) {
        return candidates.stream()
                .sorted(
                        Comparator.comparingDouble((Driver d) -> -Math.abs(d.change()))
                                .thenComparingInt(Driver::layer)
                                .thenComparingInt(d -> d.head() == null ? -1 : d.head()))
                .limit(PER_SIGNAL)
                .toList();
    }
}
