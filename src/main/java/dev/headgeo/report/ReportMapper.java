package dev.headgeo.report;

import dev.headgeo.analysis.AnalysisResult;
import dev.headgeo.analysis.AnchorFitResult;
import dev.headgeo.analysis.ShapeInvarianceResult;
import dev.headgeo.avro.Anchor;
import dev.headgeo.avro.AnchorFit;
import dev.headgeo.avro.CheckpointReport;
import dev.headgeo.avro.LayerFit;
import dev.headgeo.avro.ReportStatus;
import dev.headgeo.avro.ShapeInvariance;
import dev.headgeo.avro.Stability;
import dev.headgeo.avro.Verdict;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Turns an analysis into the {@code CheckpointReport} wire record; nan becomes null. */
public final class ReportMapper {
    private ReportMapper() {}

    /**
     * Where and when a report's checkpoint came from; timestamps may be null (offline analysis).
     */
    public record Origin(
            String runId,
            long checkpoint,
            Instant firstLayerAt,
            Instant completedAt,
            Instant analyzedAt,
            String model,
            java.util.Map<String, String> tags) {
        /** Without run context (offline analysis, tests). */
        public Origin(
                String runId,
                long checkpoint,
                Instant firstLayerAt,
                Instant completedAt,
                Instant analyzedAt) {
            this(
                    runId,
                    checkpoint,
                    firstLayerAt,
                    completedAt,
                    analyzedAt,
                    null,
                    java.util.Map.of());
        }
    }

    /** A COMPLETE report; {@code primary} must be one of the analyzed anchors. */
    public static CheckpointReport complete(
            Origin origin, AnalysisResult r, dev.headgeo.analysis.Anchor primary) {
        List<AnchorFit> fits = new ArrayList<>(r.fits().size());
        for (AnchorFitResult fit : r.fits()) {
            fits.add(anchorFit(fit));
        }
        return CheckpointReport.newBuilder()
                .setRunId(origin.runId())
                .setCheckpoint(origin.checkpoint())
                .setStatus(ReportStatus.COMPLETE)
                .setMissingLayers(List.of())
                .setNumLayers(r.numLayers())
                .setNumHeads(r.numHeads())
                .setMaxRank(r.maxRank())
                .setShapeInvariance(shapeInvariance(r.shapeInvariance()))
                .setFits(fits)
                .setCorrOpnormEntropy(orNull(r.corrOpNormEntropy()))
                .setCrossHeadSimilarity(orNulls(r.crossHeadSimilarity()))
                .setPrimaryAnchor(Anchor.valueOf(primary.name()))
                .setVerdict(Verdict.valueOf(r.fit(primary).verdict().name()))
                .setFirstLayerAt(origin.firstLayerAt())
                .setCompletedAt(origin.completedAt())
                .setAnalyzedAt(origin.analyzedAt())
                .setModel(origin.model())
                .setTags(new java.util.LinkedHashMap<>(origin.tags()))
                .build();
    }

    /** An INCOMPLETE report: the shape it knows, the layers that never came, no fits. */
    public static CheckpointReport incomplete(
            Origin origin,
            int numLayers,
            int numHeads,
            int maxRank,
            List<Integer> missingLayers,
            dev.headgeo.analysis.Anchor primary) {
        return CheckpointReport.newBuilder()
                .setRunId(origin.runId())
                .setCheckpoint(origin.checkpoint())
                .setStatus(ReportStatus.INCOMPLETE)
                .setMissingLayers(missingLayers)
                .setNumLayers(numLayers)
                .setNumHeads(numHeads)
                .setMaxRank(maxRank)
                .setShapeInvariance(null)
                .setFits(List.of())
                .setCorrOpnormEntropy(null)
                .setCrossHeadSimilarity(List.of())
                .setPrimaryAnchor(Anchor.valueOf(primary.name()))
                .setVerdict(null)
                .setFirstLayerAt(origin.firstLayerAt())
                .setCompletedAt(origin.completedAt())
                .setAnalyzedAt(origin.analyzedAt())
                .setModel(origin.model())
                .setTags(new java.util.LinkedHashMap<>(origin.tags()))
                .build();
    }

    private static ShapeInvariance shapeInvariance(ShapeInvarianceResult si) {
        return ShapeInvariance.newBuilder()
                .setMean(orNull(si.mean()))
                .setStd(orNull(si.std()))
                .setMin(orNull(si.min()))
                .setMax(orNull(si.max()))
                .setPerHead(orNulls(si.perHead()))
                .setStability(Stability.valueOf(si.stability().name()))
                .build();
    }

    private static AnchorFit anchorFit(AnchorFitResult fit) {
        int numLayers = fit.layerMeanResidual().length;
        int numHeads = numLayers == 0 ? 0 : fit.headResidual().length / numLayers;
        List<LayerFit> layers = new ArrayList<>(numLayers);
        for (int l = 0; l < numLayers; l++) {
            layers.add(
                    new LayerFit(
                            l,
                            fit.layerMeanResidual()[l],
                            fit.layerMaxResidual()[l],
                            fit.layerMeanScale()[l],
                            orNulls(fit.headResidual(), l * numHeads, numHeads),
                            orNulls(fit.headScale(), l * numHeads, numHeads)));
        }
        return AnchorFit.newBuilder()
                .setAnchor(Anchor.valueOf(fit.anchor().name()))
                .setAnchorLayer(fit.anchorLayer())
                .setLayers(layers)
                .setMeanResidual(fit.meanResidual())
                .setMaxResidual(fit.maxResidual())
                .setFracBelow010(fit.fracBelow010())
                .setFracBelow020(fit.fracBelow020())
                .setCorrScaleEntropy(orNull(fit.corrScaleEntropy()))
                .setVerdict(Verdict.valueOf(fit.verdict().name()))
                .build();
    }

    /** NaN as null (the report's undefined number). */
    static Double orNull(double x) {
        return Double.isNaN(x) ? null : x;
    }

    private static List<Double> orNulls(double[] xs, int from, int n) {
        List<Double> out = new ArrayList<>(n);
        for (int i = from; i < from + n; i++) {
            out.add(orNull(xs[i]));
        }
        return out;
    }

    static List<Double> orNulls(double[] xs) {
        List<Double> out = new ArrayList<>(xs.length);
        for (double x : xs) {
            out.add(orNull(x));
        }
        return out;
    }
}
