package dev.headgeo.analysis;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The SA-schedule analysis of the reference script {@code sa_schedule_derive_from_last.py}:
 * experiment 1 (shape invariance across layers), 2 and 2b (scalar rescale fit to an anchor layer,
 * correlation of the scale with entropy) for each requested anchor, and 3 (shape similarity
 * across heads).
 *
 * <p>Work that does not depend on the anchor is done once: padded spectra, shapes, norms and the
 * per-head matrix of shape cosines between layers, which feeds both experiment 1 and the BEST
 * anchor's choice. All sums run in numpy's order ({@link NumpySum}) so printed digits agree.
 * The script's quirks are kept: zero padding, cosine 0 below norm 1e-20, fit (0, 1) below anchor
 * norm² 1e-20 and residual 0 below ‖x‖ 1e-20, population std, ties for BEST to the lower layer.
 */
public final class SaScheduleAnalyzer {
    private static final double TINY = 1e-20;

    private final int numLayers;
    private final int numHeads;
    private final int rank;
    /** Zero-padded singular values, index (layer * numHeads + head) * rank + k. */
    private final double[] sigma;
    /** sigma / max(sigma) per (layer, head), or sigma itself where the max is below 1e-20. */
    private final double[] shape;
    private final double[] shapeNorm;
    private final double[] sigmaNormSquared;
    private final double[] opNorm;
    private final double[] entropy;
    /** Cosine of shapes between layers, per head: index (head * numLayers + l1) * numLayers + l2. */
    private final double[] layerCosine;

    private SaScheduleAnalyzer(Spectra spectra) {
        numLayers = spectra.numLayers();
        numHeads = spectra.numHeads();
        rank = spectra.maxRank();
        int cells = numLayers * numHeads;
        sigma = new double[cells * rank];
        shape = new double[cells * rank];
        shapeNorm = new double[cells];
        sigmaNormSquared = new double[cells];
        opNorm = new double[cells];
        entropy = new double[cells];
        for (int l = 0; l < numLayers; l++) {
            for (int h = 0; h < numHeads; h++) {
                int cell = l * numHeads + h;
                int base = cell * rank;
                double[] s = spectra.singularValues(l, h);
                System.arraycopy(s, 0, sigma, base, s.length);
                double mx = NumpySum.max(sigma, base, rank);
                opNorm[cell] = mx;
                if (mx > TINY) {
                    for (int k = 0; k < rank; k++) {
                        shape[base + k] = sigma[base + k] / mx;
                    }
                } else {
                    System.arraycopy(sigma, base, shape, base, rank);
                }
                shapeNorm[cell] = Math.sqrt(NumpySum.dot(shape, base, shape, base, rank));
                sigmaNormSquared[cell] = NumpySum.dot(sigma, base, sigma, base, rank);
                entropy[cell] = spectra.entropy(l, h);
            }
        }
        layerCosine = new double[numHeads * numLayers * numLayers];
        for (int h = 0; h < numHeads; h++) {
            for (int l1 = 0; l1 < numLayers; l1++) {
                for (int l2 = l1 + 1; l2 < numLayers; l2++) {
                    double c = shapeCosine(l1 * numHeads + h, l2 * numHeads + h);
                    layerCosine[(h * numLayers + l1) * numLayers + l2] = c;
                    layerCosine[(h * numLayers + l2) * numLayers + l1] = c;
                }
            }
        }
    }

    /** Analyses {@code spectra} for each of {@code anchors} (reported in the order LAST, MIDDLE, BEST). */
    public static AnalysisResult analyze(Spectra spectra, Set<Anchor> anchors) {
        if (anchors.isEmpty()) {
            throw new IllegalArgumentException("no anchor requested");
        }
        return new SaScheduleAnalyzer(spectra).run(anchors);
    }

    private AnalysisResult run(Set<Anchor> anchors) {
        List<AnchorFitResult> fits = new ArrayList<>(anchors.size());
        for (Anchor anchor : Anchor.values()) {
            if (anchors.contains(anchor)) {
                fits.add(fit(anchor, anchorLayer(anchor)));
            }
        }
        return new AnalysisResult(numLayers, numHeads, rank, shapeInvariance(), List.copyOf(fits),
                NumpySum.pearson(opNorm, entropy), crossHeadSimilarity());
    }

    private double shapeCosine(int cellA, int cellB) {
        double na = shapeNorm[cellA];
        double nb = shapeNorm[cellB];
        if (na < TINY || nb < TINY) {
            return 0.0;
        }
        return NumpySum.dot(shape, cellA * rank, shape, cellB * rank, rank) / (na * nb);
    }

    private ShapeInvarianceResult shapeInvariance() {
        double[] perHead = new double[numHeads];
        double[] pairs = new double[numLayers * (numLayers - 1) / 2];
        for (int h = 0; h < numHeads; h++) {
            int n = 0;
            for (int l1 = 0; l1 < numLayers; l1++) {
                for (int l2 = l1 + 1; l2 < numLayers; l2++) {
                    pairs[n++] = layerCosine[(h * numLayers + l1) * numLayers + l2];
                }
            }
            perHead[h] = NumpySum.mean(pairs, 0, n);
        }
        double mean = NumpySum.mean(perHead, 0, numHeads);
        return new ShapeInvarianceResult(
                mean,
                NumpySum.std(perHead, 0, numHeads, new double[numHeads]),
                NumpySum.min(perHead, 0, numHeads),
                NumpySum.max(perHead, 0, numHeads),
                perHead,
                Stability.ofMean(mean));
    }

    private int anchorLayer(Anchor anchor) {
        return switch (anchor) {
            case LAST -> numLayers - 1;
            case MIDDLE -> numLayers / 2;
            case BEST -> bestLayer();
        };
    }

    /** Highest total shape cosine to the other layers, summed head by head as the script does. */
    private int bestLayer() {
        double bestScore = -1.0;
        int best = numLayers - 1;
        for (int candidate = 0; candidate < numLayers; candidate++) {
            double score = 0.0;
            for (int h = 0; h < numHeads; h++) {
                int row = (h * numLayers + candidate) * numLayers;
                for (int l = 0; l < numLayers; l++) {
                    if (l != candidate) {
                        score += layerCosine[row + l];
                    }
                }
            }
            if (score > bestScore) {
                bestScore = score;
                best = candidate;
            }
        }
        return best;
    }

    private AnchorFitResult fit(Anchor anchor, int anchorLayer) {
        int cells = numLayers * numHeads;
        double[] scale = new double[cells];
        double[] residual = new double[cells];
        for (int l = 0; l < numLayers; l++) {
            for (int h = 0; h < numHeads; h++) {
                int cell = l * numHeads + h;
                int anchorCell = anchorLayer * numHeads + h;
                double denom = sigmaNormSquared[anchorCell];
                if (denom < TINY) {
                    scale[cell] = 0.0;
                    residual[cell] = 1.0;
                    continue;
                }
                int x = cell * rank;
                int y = anchorCell * rank;
                double t = NumpySum.dot(sigma, x, sigma, y, rank) / denom;
                double rn = 0.0;
                for (int k = 0; k < rank; k++) {
                    double d = sigma[x + k] - t * sigma[y + k];
                    rn += d * d;
                }
                rn = Math.sqrt(rn);
                double xn = Math.sqrt(sigmaNormSquared[cell]);
                scale[cell] = t;
                residual[cell] = xn > TINY ? rn / xn : 0.0;
            }
        }
        double[] layerMean = new double[numLayers];
        double[] layerMax = new double[numLayers];
        double[] layerScale = new double[numLayers];
        for (int l = 0; l < numLayers; l++) {
            layerMean[l] = NumpySum.mean(residual, l * numHeads, numHeads);
            layerMax[l] = NumpySum.max(residual, l * numHeads, numHeads);
            layerScale[l] = NumpySum.mean(scale, l * numHeads, numHeads);
        }
        int below10 = 0;
        int below20 = 0;
        for (double r : residual) {
            if (r < 0.10) {
                below10++;
            }
            if (r < 0.20) {
                below20++;
            }
        }
        double meanResidual = NumpySum.mean(residual, 0, cells);
        return new AnchorFitResult(anchor, anchorLayer, layerMean, layerMax, layerScale,
                meanResidual, NumpySum.max(residual, 0, cells),
                (double) below10 / cells, (double) below20 / cells,
                NumpySum.pearson(scale, entropy), Verdict.ofMeanResidual(meanResidual));
    }

    private double[] crossHeadSimilarity() {
        double[] perLayer = new double[numLayers];
        double[] pairs = new double[numHeads * (numHeads - 1) / 2];
        for (int l = 0; l < numLayers; l++) {
            int n = 0;
            for (int h1 = 0; h1 < numHeads; h1++) {
                for (int h2 = h1 + 1; h2 < numHeads; h2++) {
                    pairs[n++] = shapeCosine(l * numHeads + h1, l * numHeads + h2);
                }
            }
            perLayer[l] = NumpySum.mean(pairs, 0, n);
        }
        return perLayer;
    }
}
