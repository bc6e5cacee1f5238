package dev.headgeo.analysis;

import java.util.Arrays;

/**
 * Where a run's mean residual is heading: a Theil–Sen line through its recent complete checkpoints,
 * extended over a horizon of checkpoint intervals, and the verdict boundary (0.1 or 0.3) it is
 * forecast to cross there.
 *
 * <p>Theil–Sen (the median of the pairwise slopes, and the median of the residuals about that slope
 * for the level) because one noisy or outlying checkpoint barely moves it, where a least-squares
 * line would tilt. The share of pairwise slopes agreeing in sign with the median one (Kendall's
 * concordance) says how consistent the trend is; a forecast needs at least {@code minAgreement} of
 * them, so flat noise near a boundary rarely raises one.
 *
 * <p>Plain arrays, no allocation beyond the n(n-1)/2 slopes; checkpoints are taken relative to the
 * latest one so that large step numbers do not cost precision.
 */
public final class TrendForecast {
    /** Fewest points a trend is drawn through. */
    public static final int MIN_POINTS = 3;

    /** The verdict boundaries, ascending (not modified). */
    private static final double[] BOUNDARIES = {
        Verdict.SUPPORTED_BELOW, Verdict.PARTIALLY_SUPPORTED_BELOW
    };

    private TrendForecast() {}

    /**
     * @param slopePerCheckpoint change per unit of checkpoint number
     * @param level the line's value at the latest checkpoint
     * @param spacing median distance between consecutive checkpoints of the window
     * @param horizonCheckpoint latest checkpoint + horizon × spacing
     * @param forecast the line's value at {@code horizonCheckpoint}
     * @param agreement share of pairwise slopes with the sign of the median slope
     * @param boundary the boundary forecast to be crossed within the horizon, or NaN
     * @param crossingCheckpoint where the line reaches {@code boundary} (at least one spacing
     *     ahead), or -1
     */
    public record Result(
            int points,
            long latestCheckpoint,
            double latestResidual,
            double slopePerCheckpoint,
            double level,
            double spacing,
            long horizonCheckpoint,
            double forecast,
            double agreement,
            double boundary,
            long crossingCheckpoint) {
        /** Change per checkpoint interval. */
        public double trendPerInterval() {
            return slopePerCheckpoint * spacing;
        }

        public boolean crossing() {
            return !Double.isNaN(boundary);
        }

        /**
         * Which crossing is forecast ("0.1 up"), or null: a forecast is alerted when this differs
         * from the one alerted last, so a crossing is alerted once until it is withdrawn (null) or
         * replaced.
         */
        public String crossingKey() {
            return crossing() ? boundary + (rising() ? " up" : " down") : null;
        }

        /** True when the residual is forecast to rise across the boundary (the verdict worsens). */
        public boolean rising() {
            return slopePerCheckpoint > 0;
        }
    }

    /**
     * @param checkpoints ascending, distinct (not modified)
     * @param residuals the mean residual at each checkpoint (not modified)
     * @param horizonIntervals how many checkpoint intervals ahead to look
     * @param minAgreement share of pairwise slopes that must agree in sign for a crossing, in [0,
     *     1]
     * @return null with fewer than {@link #MIN_POINTS} points
     */
    public static Result evaluate(
            long[] checkpoints, double[] residuals, int horizonIntervals, double minAgreement) {
        int n = checkpoints.length;
        if (n < MIN_POINTS || residuals.length != n) {
            return null;
        }
        long last = checkpoints[n - 1];
        double[] slopes = new double[n * (n - 1) / 2];
        int k = 0;
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                slopes[k++] =
                        (residuals[j] - residuals[i]) / (double) (checkpoints[j] - checkpoints[i]);
            }
        }
        double slope = median(slopes, k);
        int agreeing = 0;
        for (int i = 0; i < k; i++) {
            if (slope != 0 && Math.signum(slopes[i]) == Math.signum(slope)) {
                agreeing++;
            }
        }
        double agreement = (double) agreeing / k;
        double[] offsets = new double[n];
        double[] gaps = new double[n - 1];
        for (int i = 0; i < n; i++) {
            offsets[i] = residuals[i] - slope * (checkpoints[i] - last);
            if (i > 0) {
                gaps[i - 1] = checkpoints[i] - checkpoints[i - 1];
            }
        }
        double level = median(offsets, n);
        double spacing = median(gaps, n - 1);
        double ahead = horizonIntervals * spacing;
        double forecast = level + slope * ahead;
        double current = residuals[n - 1];
        double boundary = Double.NaN;
        if (agreement >= minAgreement && slope > 0) {
            for (double b : BOUNDARIES) {
                if (current < b && forecast >= b) {
                    boundary = b;
                    break;
                }
            }
        } else if (agreement >= minAgreement && slope < 0) {
            for (int i = BOUNDARIES.length - 1; i >= 0; i--) {
                double b = BOUNDARIES[i];
                if (current >= b && forecast < b) {
                    boundary = b;
                    break;
                }
            }
        }
        long crossing = -1;
        if (!Double.isNaN(boundary)) {
            double x = Math.max((boundary - level) / slope, spacing);
            crossing = last + Math.round(Math.min(x, ahead));
        }
        return new Result(
                n,
                last,
                current,
                slope,
                level,
                spacing,
                last + Math.round(ahead),
                forecast,
                agreement,
                boundary,
                crossing);
    }

    /** Median of the first {@code n} values; sorts them in place. */
    private static double median(double[] values, int n) {
        Arrays.sort(values, 0, n);
        return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
    }
}
