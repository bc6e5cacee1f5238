package dev.headgeo.report;

import dev.headgeo.avro.AnchorFit;
import dev.headgeo.avro.AnchorSummary;
import dev.headgeo.avro.AttentionHealth;
import dev.headgeo.avro.CheckpointReport;
import dev.headgeo.avro.CheckpointSummary;
import dev.headgeo.avro.HealthSummary;
import dev.headgeo.avro.LayerFit;
import dev.headgeo.avro.LayerHealth;
import dev.headgeo.wire.RunTags;
import java.util.ArrayList;
import java.util.List;

/**
 * A report's summary as the HTTP API and the dashboard show it: the same numbers, fewer of them.
 */
public final class Summaries {
    private Summaries() {}

    public static CheckpointSummary of(CheckpointReport report) {
        List<AnchorSummary> fits = new ArrayList<>(report.getFits().size());
        for (AnchorFit fit : report.getFits()) {
            List<Double> layers = new ArrayList<>(fit.getLayers().size());
            for (LayerFit l : fit.getLayers()) {
                layers.add(l.getMeanResidual());
            }
            fits.add(
                    new AnchorSummary(
                            fit.getAnchor(),
                            fit.getAnchorLayer(),
                            fit.getMeanResidual(),
                            fit.getVerdict(),
                            layers));
        }
        return CheckpointSummary.newBuilder()
                .setCheckpoint(report.getCheckpoint())
                .setStatus(report.getStatus())
                .setVerdict(report.getVerdict())
                .setMissingLayers(report.getMissingLayers())
                .setShapeInvarianceMean(
                        report.getShapeInvariance() == null
                                ? null
                                : report.getShapeInvariance().getMean())
                .setCorrOpnormEntropy(report.getCorrOpnormEntropy())
                .setCompletedAt(report.getCompletedAt())
                .setFits(fits)
                .setHealth(health(report.getAttentionHealth()))
                .setTrainingContext(RunTags.trainingContext(report.getTags()))
                .build();
    }

    private static HealthSummary health(AttentionHealth h) {
        if (h == null) {
            return null;
        }
        List<Double> layerMin = new ArrayList<>(h.getLayers().size());
        for (LayerHealth l : h.getLayers()) {
            layerMin.add(
                    l.getEntropy().stream()
                            .mapToDouble(Double::doubleValue)
                            .min()
                            .orElse(Double.NaN));
        }
        return new HealthSummary(
                h.getState(),
                h.getHeads(),
                h.getMinEntropy(),
                h.getMaxSigma(),
                h.getMaxLogit(),
                layerMin);
    }
}
