package dev.headgeo.report;

import dev.headgeo.analysis.AnalysisResult;
import dev.headgeo.analysis.Anchor;
import dev.headgeo.analysis.AnchorFitResult;
import dev.headgeo.analysis.ShapeInvarianceResult;

/**
 * The reference script's text report. With one anchor it is the script's output line for line; with
 * several, experiment 2 and its correlation line repeat once per anchor and the summary gives one
 * line per anchor before the primary anchor's verdict.
 */
public final class TextReport {
    private TextReport() {}

    public static String render(AnalysisResult r, Anchor primary) {
        StringBuilder out = new StringBuilder();
        line(
                out,
                "Loaded sigma: shape ("
                        + r.numLayers()
                        + ", "
                        + r.numHeads()
                        + ", "
                        + r.maxRank()
                        + "), max rank "
                        + r.maxRank());
        ShapeInvarianceResult si = r.shapeInvariance();
        line(out, "\n=== (1) Spectral shape invariance across layers ===");
        line(out, " per-head mean pairwise cosine of shape across layers:");
        line(
                out,
                " mean "
                        + f4(si.mean())
                        + " std "
                        + f4(si.std())
                        + " min "
                        + f4(si.min())
                        + " max "
                        + f4(si.max()));
        for (AnchorFitResult fit : r.fits()) {
            experimentTwo(out, r, fit);
        }
        line(
                out,
                " for comparison, corr(op_norm, entropy) = "
                        + PyFormat.signed(r.corrOpNormEntropy(), 3));
        line(out, "\n=== (3) Cross-head shape similarity within each layer ===");
        line(out, "   L  mean pair-cos");
        for (int l = 0; l < r.numLayers(); l++) {
            line(
                    out,
                    " "
                            + PyFormat.padLeft(Integer.toString(l), 3)
                            + " "
                            + PyFormat.fixed(r.crossHeadSimilarity()[l], 14, 4));
        }
        line(out, "\n=== Summary ===");
        String shapeLine =
                " spectral shape is "
                        + si.stability().words()
                        + " across layers (per-head mean pairwise cos = "
                        + PyFormat.fixed(si.mean(), 3)
                        + ")";
        if (r.fits().size() == 1) {
            AnchorFitResult fit = r.fits().get(0);
            line(out, " anchor layer: " + fit.anchorLayer());
            line(out, shapeLine);
            line(
                    out,
                    " scalar-rescale fit residual: mean " + PyFormat.fixed(fit.meanResidual(), 3));
            line(out, "\n " + fit.verdict().sentence());
        } else {
            line(out, shapeLine);
            for (AnchorFitResult fit : r.fits()) {
                line(
                        out,
                        " anchor "
                                + fit.anchor()
                                + " (L="
                                + fit.anchorLayer()
                                + "): scalar-rescale fit residual: mean "
                                + PyFormat.fixed(fit.meanResidual(), 3)
                                + " → "
                                + fit.verdict());
            }
            line(out, "\n [primary anchor " + primary + "] " + r.fit(primary).verdict().sentence());
        }
        return out.toString();
    }

    private static void experimentTwo(StringBuilder out, AnalysisResult r, AnchorFitResult fit) {
        if (fit.anchor() == Anchor.BEST) {
            line(out, " [auto-anchor] best layer by total shape-cosine: L=" + fit.anchorLayer());
        }
        line(out, "\n=== (2) Scalar rescale fit to anchor L=" + fit.anchorLayer() + " ===");
        line(out, " per-layer residual fraction ||σ_L^h - T σ_anchor^h|| / ||σ_L^h||:");
        line(out, "   L mean resid  max resid   mean T");
        for (int l = 0; l < r.numLayers(); l++) {
            line(
                    out,
                    " "
                            + PyFormat.padLeft(Integer.toString(l), 3)
                            + " "
                            + PyFormat.fixed(fit.layerMeanResidual()[l], 10, 4)
                            + " "
                            + PyFormat.fixed(fit.layerMaxResidual()[l], 10, 4)
                            + " "
                            + PyFormat.fixed(fit.layerMeanScale()[l], 8, 3));
        }
        line(out, "\n overall mean residual: " + f4(fit.meanResidual()));
        line(out, " overall max residual: " + f4(fit.maxResidual()));
        line(out, " frac of (L,h) with resid < 0.10: " + PyFormat.fixed(fit.fracBelow010(), 3));
        line(out, " frac of (L,h) with resid < 0.20: " + PyFormat.fixed(fit.fracBelow020(), 3));
        line(
                out,
                "\n correlation corr(T_L^h, entropy_L^h) = "
                        + PyFormat.signed(fit.corrScaleEntropy(), 3)
                        + " (negative expected: larger T → sharper → lower entropy)");
    }

    private static String f4(double x) {
        return PyFormat.fixed(x, 4);
    }

    private static void line(StringBuilder out, String s) {
        out.append(s).append('\n');
    }
}
