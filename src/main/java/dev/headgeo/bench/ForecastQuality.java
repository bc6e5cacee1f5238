package dev.headgeo.bench;

import dev.headgeo.analysis.TrendForecast;
import java.util.Arrays;
import java.util.Random;

/**
 * How good the early warning is, on simulated primary mean residuals (one per checkpoint, Gaussian
 * noise): for runs drifting up across 0.1, the share of flips that had an active FLIP_FORECAST when
 * they happened and how many checkpoints ahead it was raised; for flat runs near the boundary,
 * forecasts raised per 100 checkpoints (all of them false). The forecasts are made exactly as the
 * processor makes them: {@link TrendForecast} over the last {@code window} checkpoints, alerted
 * when its crossing differs from the last one alerted.
 */
public final class ForecastQuality {
    /** Where drifting runs start. */
    static final double DRIFT_START = 0.03;

    private static final double BOUNDARY = 0.1;

    private final int window;
    private final int horizon;
    private final double agreement;

    public ForecastQuality(int window, int horizon, double agreement) {
        this.window = window;
        this.horizon = horizon;
        this.agreement = agreement;
    }

    /**
     * @param forecastShare flips with a forecast active when they happened; meanLead in checkpoints
     *     over those
     */
    public record Drift(
            double ratePerCheckpoint,
            double noise,
            int runs,
            double forecastShare,
            double meanLead,
            double minLead) {}

    /**
     * @param falsePer100 forecasts per 100 checkpoints
     */
    public record Flat(
            double distance, double noise, int runs, int checkpoints, double falsePer100) {}

    public Drift drift(double rate, double noise, int runs, long seed) {
        Random random = new Random(seed);
        int forecast = 0;
        double leadSum = 0;
        double minLead = Double.POSITIVE_INFINITY;
        int length = (int) Math.ceil((BOUNDARY - DRIFT_START) / rate) + 20;
        for (int run = 0; run < runs; run++) {
            double[] r = new double[length];
            for (int k = 0; k < length; k++) {
                r[k] = DRIFT_START + rate * k + noise * random.nextGaussian();
            }
            int flip = -1;
            for (int k = 1; k < length && flip < 0; k++) {
                if (r[k] >= BOUNDARY && r[0] < BOUNDARY) {
                    flip = k;
                }
            }
            if (flip < 0) {
                continue;
            }
            int raisedAt = activeForecastAt(r, flip);
            if (raisedAt >= 0) {
                forecast++;
                leadSum += flip - raisedAt;
                minLead = Math.min(minLead, flip - raisedAt);
            }
        }
        return new Drift(
                rate,
                noise,
                runs,
                (double) forecast / runs,
                forecast == 0 ? Double.NaN : leadSum / forecast,
                forecast == 0 ? Double.NaN : minLead);
    }

    public Flat flat(double distance, double noise, int runs, int checkpoints, long seed) {
        Random random = new Random(seed);
        long raised = 0;
        for (int run = 0; run < runs; run++) {
            double level = BOUNDARY + (run % 2 == 0 ? -distance : distance);
            double[] r = new double[checkpoints];
            for (int k = 0; k < checkpoints; k++) {
                r[k] = level + noise * random.nextGaussian();
            }
            String alerted = null;
            for (int k = 0; k < checkpoints; k++) {
                String key = keyAt(r, k);
                if (key != null && !key.equals(alerted)) {
                    raised++;
                }
                alerted = key;
            }
        }
        return new Flat(
                distance, noise, runs, checkpoints, 100.0 * raised / ((long) runs * checkpoints));
    }

    /**
     * The checkpoint at which the forecast of the 0.1 up-crossing that is active at {@code flip -
     * 1} was raised, or -1.
     */
    private int activeForecastAt(double[] r, int flip) {
        String alerted = null;
        int raisedAt = -1;
        for (int k = 0; k < flip; k++) {
            String key = keyAt(r, k);
            if (key != null && !key.equals(alerted)) {
                raisedAt = k;
            }
            if (key == null) {
                raisedAt = -1;
            }
            alerted = key;
        }
        return (BOUNDARY + " up").equals(alerted) ? raisedAt : -1;
    }

    /** The crossing forecast after checkpoint {@code k} (checkpoints 100 apart), or null. */
    private String keyAt(double[] r, int k) {
        int n = Math.min(window, k + 1);
        long[] checkpoints = new long[n];
        double[] residuals = Arrays.copyOfRange(r, k + 1 - n, k + 1);
        for (int i = 0; i < n; i++) {
            checkpoints[i] = 100L * (k + 1 - n + i);
        }
        TrendForecast.Result t = TrendForecast.evaluate(checkpoints, residuals, horizon, agreement);
        return t == null ? null : t.crossingKey();
    }
}
