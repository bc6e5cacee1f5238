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

/**
 * Attention health and drivers to and from their wire records (report v3, run history v3); NaN
 * becomes null.
 */
public final class HealthMapper {
    private HealthMapper() {}

    public static dev.headgeo.avro.AttentionHealth toAvro(AttentionHealth.Result r) {
        List<LayerHealth> layers = new ArrayList<>(r.layers().size());
        for (AttentionHealth.Layer l : r.layers()) {
            layers.add(
                    LayerHealth.newBuilder()
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
            out.add(
                    new Driver(
                            DriverSignal.valueOf(d.signal().name()),
                            d.layer(),
                            d.head(),
                            d.previous(),
                            d.current(),
                            d.change()));
        }
        return out;
    }

    /**
     * What the run's next checkpoint is compared with, its numbers packed (see CheckpointSignals).
     */
    public static CheckpointSignals toAvro(
            long checkpoint,
            double[] layerResiduals,
            AttentionSignals s,
            AttentionHealth.Result health) {
        int layers = s.numLayers();
        int heads = s.numHeads();
        double[][] logits = new double[layers][];
        for (int l = 0; l < layers; l++) {
            logits[l] = s.maxLogit()[l] != null ? s.maxLogit()[l] : nans(heads);
        }
        return CheckpointSignals.newBuilder()
                .setCheckpoint(checkpoint)
                .setNumLayers(layers)
                .setNumHeads(heads)
                .setLayerMeanResiduals(packed(new double[][] {layerResiduals}))
                .setEntropy(packed(s.entropy()))
                .setSigmaMax(packed(s.sigmaMax()))
                .setMaxLogit(packed(logits))
                .setGrowingHeads(
                        health.state() == AttentionHealth.State.GROWING
                                ? health.heads().stream()
                                        .map(AttentionHealth.Head::toString)
                                        .toList()
                                : List.of())
                .build();
    }

    /**
     * The stored signals as the analysis takes them; {@code qkNorm} is the current checkpoint's
     * (the model's shape).
     */
    public static AttentionSignals signals(CheckpointSignals s, boolean[] qkNorm) {
        int layers = s.getNumLayers();
        int heads = s.getNumHeads();
        double[][] logits = unpacked(s.getMaxLogit(), layers, heads);
        for (int l = 0; l < layers; l++) {
            if (Double.isNaN(logits[l][0])) {
                logits[l] = null;
            }
        }
        boolean[] norms = qkNorm.length == layers ? qkNorm : new boolean[layers];
        return new AttentionSignals(
                unpacked(s.getEntropy(), layers, heads),
                unpacked(s.getSigmaMax(), layers, heads),
                logits,
                norms,
                null);
    }

    public static double[] residuals(CheckpointSignals s) {
        return unpacked(s.getLayerMeanResiduals(), 1, s.getNumLayers())[0];
    }

    private static double[] nans(int n) {
        double[] out = new double[n];
        java.util.Arrays.fill(out, Double.NaN);
        return out;
    }

    /** Rows of doubles, row after row, as little-endian IEEE 754 (as Avro writes a double). */
    private static java.nio.ByteBuffer packed(double[][] rows) {
        int n = 0;
        for (double[] row : rows) {
            n += row.length;
        }
        java.nio.ByteBuffer out =
                java.nio.ByteBuffer.allocate(n * Double.BYTES)
                        .order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (double[] row : rows) {
            out.asDoubleBuffer().put(row);
            out.position(out.position() + row.length * Double.BYTES);
        }
        return out.flip();
    }

    private static double[][] unpacked(java.nio.ByteBuffer bytes, int rows, int columns) {
        java.nio.DoubleBuffer in =
                bytes.duplicate().order(java.nio.ByteOrder.LITTLE_ENDIAN).asDoubleBuffer();
        if (in.remaining() != rows * columns) {
            throw new IllegalArgumentException(
                    "packed signals of "
                            + in.remaining()
                            + " values, not "
                            + rows
                            + " x "
                            + columns);
        }
        double[][] out = new double[rows][columns];
        for (double[] row : out) {
            in.get(row);
        }
        return out;
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

    private static List<Double> boxed(double[] values) {
        return LayerArrays.boxed(values);
    }
}
