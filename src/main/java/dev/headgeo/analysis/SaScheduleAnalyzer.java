package dev.headgeo.analysis;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The SA-schedule analysis of the reference script {@code sa_schedule_derive_from_last.py}:
 * experiment 1 (shape invariance across layers), 2 and 2b (scalar rescale fit to an anchor layer,
 * correlation of the scale with entropy) for each requested anchor, and 3 (shape similarity across
 * heads).
 *
 * <p>Work that does not depend on the anchor is done once: padded spectra, shapes, norms and the
 * per-head matrix of shape cosines between layers, which feeds both experiment 1 and the BEST
 * anchor's choice. Dot products between many pairs run in {@link Gram}'s blocked kernel. Means,
 * standard deviations, norms and the fit's numerator run in numpy's summation order ({@link
 * NumpySum}) so that printed digits and degenerate cases agree with the script. The script's quirks
 * are kept: zero padding, cosine 0 below norm 1e-20, fit (0, 1) below anchor norm² 1e-20 and
 * residual 0 below ‖x‖ 1e-20, population std, ties for BEST to the lower layer.
 */
public final class SaScheduleAnalyzer {
    private static final double TINY = 1e-20;

    private final int numLayers;
    private final int numHeads;
    private final int rank;

    /**
     * Zero-padded singular values per layer, head-major: {@code sigma[layer][head * rank + k]}. One
     * array per layer, not one for the checkpoint: 32 x 32 x 128 doubles in one array is 1 MB,
     * which G1 allocates outside the young generation as a humongous object (two per checkpoint
     * started a concurrent marking cycle each time, issue #28).
     */
    private final double[][] sigma;

    /** Shapes (sigma / max, or sigma where the max is below 1e-20), same layout. */
    private final double[][] shape;

    /** Per cell (layer * numHeads + head). */
    private final double[] shapeNorm;

    private final double[] sigmaNormSquared;
    private final double[] opNorm;
    private final double[] entropy;

    /** Cosine of shapes between layers, per head: [head][l1][l2]. */
    private final double[][][] layerCosine;

    private SaScheduleAnalyzer(Spectra spectra) {
        numLayers = spectra.numLayers();
        numHeads = spectra.numHeads();
        rank = spectra.maxRank();
        int cells = numLayers * numHeads;
        sigma = new double[numLayers][numHeads * rank];
        shape = new double[numLayers][numHeads * rank];
        shapeNorm = new double[cells];
        sigmaNormSquared = new double[cells];
        opNorm = new double[cells];
        entropy = new double[cells];
        for (int l = 0; l < numLayers; l++) {
            double[] sigmaL = sigma[l];
            double[] shapeL = shape[l];
            for (int h = 0; h < numHeads; h++) {
                int cell = l * numHeads + h;
                int base = h * rank;
                double[] given = spectra.singularValues(l, h);
                System.arraycopy(given, 0, sigmaL, base, given.length);
                double mx = NumpySum.max(sigmaL, base, rank);
                opNorm[cell] = mx;
                sigmaNormSquared[cell] = NumpySum.dot(sigmaL, base, sigmaL, base, rank);
                if (mx > TINY) {
                    for (int k = base; k < base + rank; k++) {
                        shapeL[k] = sigmaL[k] / mx;
                    }
                } else {
                    System.arraycopy(sigmaL, base, shapeL, base, rank);
                }
                shapeNorm[cell] = Math.sqrt(NumpySum.dot(shapeL, base, shapeL, base, rank));
                entropy[cell] = spectra.entropy(l, h);
            }
        }
        layerCosine = new double[numHeads][][];
        // one head's shapes of every layer side by side, for the blocked kernel's single array
        double[] headShapes = new double[numLayers * rank];
        int[] offsets = new int[numLayers];
        for (int l = 0; l < numLayers; l++) {
            offsets[l] = l * rank;
        }
        for (int h = 0; h < numHeads; h++) {
            for (int l = 0; l < numLayers; l++) {
                System.arraycopy(shape[l], h * rank, headShapes, l * rank, rank);
            }
            double[][] gram = Gram.upper(headShapes, offsets, rank);
            for (int l1 = 0; l1 < numLayers; l1++) {
                for (int l2 = l1 + 1; l2 < numLayers; l2++) {
                    double c =
                            cosine(
                                    gram[l1][l2],
                                    shapeNorm[l1 * numHeads + h],
                                    shapeNorm[l2 * numHeads + h]);
                    gram[l1][l2] = c;
                    gram[l2][l1] = c;
                }
            }
            layerCosine[h] = gram;
        }
    }

    /** The script's cos_sim from a dot product and both norms. */
    private static double cosine(double dot, double normA, double normB) {
        if (normA < TINY || normB < TINY) {
            return 0.0;
        }
        return dot / (normA * normB);
    }

    /**
     * Analyses {@code spectra} for each of {@code anchors} (reported in the order LAST, MIDDLE,
     * BEST).
     */
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
        return new AnalysisResult(
                numLayers,
                numHeads,
                rank,
                shapeInvariance(),
                List.copyOf(fits),
                NumpySum.pearson(opNorm, entropy),
                crossHeadSimilarity());
    }

    private ShapeInvarianceResult shapeInvariance() {
        double[] perHead = new double[numHeads];
        double[] pairs = new double[numLayers * (numLayers - 1) / 2];
        for (int h = 0; h < numHeads; h++) {
            int n = 0;
            for (int l1 = 0; l1 < numLayers; l1++) {
                for (int l2 = l1 + 1; l2 < numLayers; l2++) {
                    pairs[n++] = layerCosine[h][l1][l2];
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
                double[] row = layerCosine[h][candidate];
                for (int l = 0; l < numLayers; l++) {
                    if (l != candidate) {
                        score += row[l];
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
                double[] x = sigma[l];
                double[] y = sigma[anchorLayer];
                int at = h * rank;
                // numpy's order for the numerator too: a layer equal to the anchor gets T == 1
                // exactly.
                double t = NumpySum.dot(x, at, y, at, rank) / denom;
                double squares = residualSquares(x, y, at, t);
                double xn = Math.sqrt(sigmaNormSquared[cell]);
                scale[cell] = t;
                residual[cell] = xn > TINY ? Math.sqrt(squares) / xn : 0.0;
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
        return new AnchorFitResult(
                anchor,
                anchorLayer,
                layerMean,
                layerMax,
                layerScale,
                meanResidual,
                NumpySum.max(residual, 0, cells),
                (double) below10 / cells,
                (double) below20 / cells,
                NumpySum.pearson(scale, entropy),
                Verdict.ofMeanResidual(meanResidual),
                residual,
                scale);
    }

    /**
     * ‖σ_x − t σ_y‖² with four independent partial sums, so the loop is not one long dependency
     * chain.
     */
    private double residualSquares(double[] x, double[] y, int at, double t) {
        double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
        int k = at;
        int end = at + rank;
        for (; k + 4 <= end; k += 4) {
            double d0 = x[k] - t * y[k];
            double d1 = x[k + 1] - t * y[k + 1];
            double d2 = x[k + 2] - t * y[k + 2];
            double d3 = x[k + 3] - t * y[k + 3];
            s0 += d0 * d0;
            s1 += d1 * d1;
            s2 += d2 * d2;
            s3 += d3 * d3;
        }
        for (; k < end; k++) {
            double d = x[k] - t * y[k];
            s0 += d * d;
        }
        return (s0 + s1) + (s2 + s3);
    }

    private double[] crossHeadSimilarity() {
        double[] perLayer = new double[numLayers];
        double[] pairs = new double[numHeads * (numHeads - 1) / 2];
        int[] offsets = new int[numHeads];
        for (int h = 0; h < numHeads; h++) {
            offsets[h] = h * rank;
        }
        for (int l = 0; l < numLayers; l++) {
            double[][] gram = Gram.upper(shape[l], offsets, rank);
            int n = 0;
            for (int h1 = 0; h1 < numHeads; h1++) {
                for (int h2 = h1 + 1; h2 < numHeads; h2++) {
                    pairs[n++] =
                            cosine(
                                    gram[h1][h2],
                                    shapeNorm[l * numHeads + h1],
                                    shapeNorm[l * numHeads + h2]);
                }
            }
            perLayer[l] = NumpySum.mean(pairs, 0, n);
        }
        return perLayer;
    }
}
