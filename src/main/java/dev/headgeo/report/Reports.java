package dev.headgeo.report;

import dev.headgeo.avro.Anchor;
import dev.headgeo.avro.AnchorFit;
import dev.headgeo.avro.CheckpointReport;

/** Lookups on a {@code CheckpointReport} record. */
public final class Reports {
    private Reports() {}

    /**
     * The report's fit for {@code anchor}, or null when that anchor was not analyzed (or the report
     * is INCOMPLETE).
     */
    public static AnchorFit fit(CheckpointReport report, Anchor anchor) {
        for (AnchorFit fit : report.getFits()) {
            if (fit.getAnchor() == anchor) {
                return fit;
            }
        }
        return null;
    }

    /** The primary anchor's fit, or null when INCOMPLETE. */
    public static AnchorFit primaryFit(CheckpointReport report) {
        return fit(report, report.getPrimaryAnchor());
    }

    /** The primary anchor's mean residual, or null when INCOMPLETE. */
    public static Double primaryMeanResidual(CheckpointReport report) {
        AnchorFit fit = primaryFit(report);
        return fit == null ? null : fit.getMeanResidual();
    }
}
