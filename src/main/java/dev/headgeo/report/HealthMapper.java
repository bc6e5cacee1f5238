package dev.headgeo.report;

import dev.headgeo.analysis.AttentionHealth;
import dev.headgeo.analysis.AttentionSignals;
import dev.headgeo.analysis.Drivers;
import dev.headgeo.avro.AnchorFit;
import dev.headgeo.avro.CheckpointReport;
import dev.headgeo.avro.CheckpointSignals;
import dev.headgeo.avro.Driver;
import dev.headgeo.avro.DriverSignal;
import dev.headgeo.avro.HealthState;
import dev.headgeo.avro.LayerFit;
import dev.headgeo.avro.LayerHealth;
import dev.headgeo.avro.LogitBound;
import dev.headgeo.wire.LayerArrays;
import java.util.ArrayList;
import java.util.List;

/** Attention health and drivers to and from their wire records (report v3, run history v3); NaN becomes null. */
public final class HealthMapper {
    private HealthMapper() {
    }

    public static dev.headgeo.avro.AttentionHealth toAvro(AttentionHealth.Result r) {
        List<LayerHealth> layers = new ArrayList<>(r.layers().size());
        for (AttentionHealth.Layer l : r.layers()) {
            layers.add(LayerHealth.newBuilder()
                    .setLayer(l.layer())
                    .setEntropy(boxed(l.entropy()))
                    .setEntropyChange(orNulls(l.entropyChange()))
                    .setSigmaMax(boxed(l.sigmaMax()))
                    .setSigmaChange(orNulls(l.sigmaChange()))
                    .setMaxLogit(l.maxLogit() == null ? null : boxed(l.maxLogit()))
                    .setMaxLogitChange(orNulls(l.maxLogitChange()))
                    .setLogitBound(LogitBound.valueOf(l.bound().name()))
                    .setCollapsedHeads(l.collapsedHeads())
                    .build());
        }
        return dev.headgeo.avro.AttentionHealth.newBuilder()
                .setState(HealthState.valueOf(r.state().name()))
                .setHeads(r.heads().stream().map(AttentionHealth.Head::toString).toList())
                .setPreviousCheckpoint(r.previousCheckpoint())
                .setProbeTokens(r.probeTokens())
                .setEntropyCeiling(orNull(r.entropyCeiling()))
                .setMinEntropy(r.minEntropy())
                .setMaxSigma(r.maxSigma())
                .setMaxLogit(orNull(r.maxLogit()))
                .setCollapsedFraction(r.collapsedFraction())
                .setForecastCheckpoint(r.forecastCheckpoint())
                .setLayers(layers)
                .build();
    }

    public static List<Driver> toAvro(List<Drivers.Driver> drivers) {
        List<Driver> out = new ArrayList<>(drivers.size());
        for (Drivers.Driver d : drivers) {
            out.add(new Driver(DriverSignal.valueOf(d.signal().name()), d.layer(), d.head(), d.previous(), d.current(), d.change()));
        }
        return out;
    }

    /** What the run's next checkpoint is compared with. */
    public static CheckpointSignals toAvro(long checkpoint, double[] layerResiduals, AttentionSignals s, AttentionHealth.Result health) {
        List<List<Double>> logits = new ArrayList<>(s.numLayers());
        for (double[] l : s.maxLogit()) {
            logits.add(l == null ? null : boxed(l));
        }
        return CheckpointSignals.newBuilder()
                .setCheckpoint(checkpoint)
                .setLayerMeanResiduals(orNulls(layerResiduals))
                .setEntropy(boxed(s.entropy()))
                .setSigmaMax(boxed(s.sigmaMax()))
                .setMaxLogit(logits)
                .setGrowingHeads(health.state() == AttentionHealth.State.GROWING
                        ? health.heads().stream().map(AttentionHealth.Head::toString).toList() : List.of())
                .build();
    }

    /** The heads a stored checkpoint judged growing. */
    public static java.util.Set<AttentionHealth.Head> growingHeads(CheckpointSignals s) {
        java.util.Set<AttentionHealth.Head> out = new java.util.HashSet<>();
        for (String head : s.getGrowingHeads()) {
            String[] lh = head.split("\\.");
            out.add(new AttentionHealth.Head(Integer.parseInt(lh[0]), Integer.parseInt(lh[1])));
        }
        return out;
    }

    /** The stored signals as the analysis takes them; {@code qkNorm} is the current checkpoint's (the model's shape). */
    public static AttentionSignals signals(CheckpointSignals s, boolean[] qkNorm) {
        double[][] logits = new double[s.getMaxLogit().size()][];
        for (int l = 0; l < logits.length; l++) {
            List<Double> layer = s.getMaxLogit().get(l);
            logits[l] = layer == null ? null : unboxed(layer);
        }
        boolean[] norms = qkNorm.length == logits.length ? qkNorm : new boolean[logits.length];
        return new AttentionSignals(unboxed2(s.getEntropy()), unboxed2(s.getSigmaMax()), logits, norms, null);
    }

    public static double[] residuals(CheckpointSignals s) {
        double[] out = new double[s.getLayerMeanResiduals().size()];
        for (int l = 0; l < out.length; l++) {
            Double v = s.getLayerMeanResiduals().get(l);
            out[l] = v == null ? Double.NaN : v;
        }
        return out;
    }

    /** Per layer, the primary anchor's mean residual of a complete report. */
    public static double[] layerResiduals(CheckpointReport report) {
        AnchorFit fit = Reports.primaryFit(report);
        double[] out = new double[report.getNumLayers()];
        java.util.Arrays.fill(out, Double.NaN);
        if (fit != null) {
            for (LayerFit l : fit.getLayers()) {
                out[l.getLayer()] = l.getMeanResidual();
            }
        }
        return out;
    }

    private static List<Double> orNulls(double[] values) {
        return values == null ? List.of() : ReportMapper.orNulls(values);
    }

    private static Double orNull(double v) {
        return ReportMapper.orNull(v);
    }

    private static List<List<Double>> boxed(double[][] values) {
        List<List<Double>> out = new ArrayList<>(values.length);
        for (double[] v : values) {
            out.add(boxed(v));
        }
        return out;
    }

    private static List<Double> boxed(double[] values) {
        return LayerArrays.boxed(values);
    }

    private static double[] unboxed(List<Double> values) {
        return LayerArrays.unboxed(values);
    }

    private static double[][] unboxed2(List<List<Double>> values) {
        double[][] out = new double[values.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = unboxed(values.get(i));
        }
        return out;
    }
}
