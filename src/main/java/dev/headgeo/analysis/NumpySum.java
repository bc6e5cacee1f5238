package dev.headgeo.analysis;

/**
 * Summation in exactly numpy's order (pairwise, eight accumulators up to blocks of 128), so that
 * means, standard deviations and dot products round the way the reference script's do. {@code sum},
 * {@code dot}, {@code mean}, {@code std}, {@code min} and {@code max} equal numpy 2.4's bit for bit
 * ({@code NumpyKernelsTest}, on vectors numpy's results of which {@code tools/numpy_kernels.py}
 * wrote).
 */
final class NumpySum {
    private static final int BLOCK = 128;

    private NumpySum() {}

    /** {@code np.sum(a[from:from+n])}. */
    static double sum(double[] a, int from, int n) {
        if (n < 8) {
            double res = 0.0;
            for (int i = 0; i < n; i++) {
                res += a[from + i];
            }
            return res;
        }
        if (n <= BLOCK) {
            double r0 = a[from], r1 = a[from + 1], r2 = a[from + 2], r3 = a[from + 3];
            double r4 = a[from + 4], r5 = a[from + 5], r6 = a[from + 6], r7 = a[from + 7];
            int i = 8;
            int end = n - (n % 8);
            for (; i < end; i += 8) {
                int p = from + i;
                r0 += a[p];
                r1 += a[p + 1];
                r2 += a[p + 2];
                r3 += a[p + 3];
                r4 += a[p + 4];
                r5 += a[p + 5];
                r6 += a[p + 6];
                r7 += a[p + 7];
            }
            double res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7));
            for (; i < n; i++) {
                res += a[from + i];
            }
            return res;
        }
        int n2 = n / 2;
        n2 -= n2 % 8;
        return sum(a, from, n2) + sum(a, from + n2, n - n2);
    }

    /** {@code (x[xo:xo+n] * y[yo:yo+n]).sum()}: the products summed in numpy's order. */
    static double dot(double[] x, int xo, double[] y, int yo, int n) {
        if (n < 8) {
            double res = 0.0;
            for (int i = 0; i < n; i++) {
                res += x[xo + i] * y[yo + i];
            }
            return res;
        }
        if (n <= BLOCK) {
            double r0 = x[xo] * y[yo], r1 = x[xo + 1] * y[yo + 1];
            double r2 = x[xo + 2] * y[yo + 2], r3 = x[xo + 3] * y[yo + 3];
            double r4 = x[xo + 4] * y[yo + 4], r5 = x[xo + 5] * y[yo + 5];
            double r6 = x[xo + 6] * y[yo + 6], r7 = x[xo + 7] * y[yo + 7];
            int i = 8;
            int end = n - (n % 8);
            for (; i < end; i += 8) {
                int p = xo + i;
                int q = yo + i;
                r0 += x[p] * y[q];
                r1 += x[p + 1] * y[q + 1];
                r2 += x[p + 2] * y[q + 2];
                r3 += x[p + 3] * y[q + 3];
                r4 += x[p + 4] * y[q + 4];
                r5 += x[p + 5] * y[q + 5];
                r6 += x[p + 6] * y[q + 6];
                r7 += x[p + 7] * y[q + 7];
            }
            double res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7));
            for (; i < n; i++) {
                res += x[xo + i] * y[yo + i];
            }
            return res;
        }
        int n2 = n / 2;
        n2 -= n2 % 8;
        return dot(x, xo, y, yo, n2) + dot(x, xo + n2, y, yo + n2, n - n2);
    }

    /** {@code np.mean}: nan for an empty range, as numpy's mean of an empty list. */
    static double mean(double[] a, int from, int n) {
        return sum(a, from, n) / n;
    }

    /** {@code np.std} with ddof 0 (population). */
    static double std(double[] a, int from, int n, double[] scratch) {
        double mu = mean(a, from, n);
        for (int i = 0; i < n; i++) {
            double d = a[from + i] - mu;
            scratch[i] = d * d;
        }
        return Math.sqrt(sum(scratch, 0, n) / n);
    }

    /** {@code np.min} over a range: nan if any element is nan. */
    static double min(double[] a, int from, int n) {
        double m = Double.POSITIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            m = Math.min(m, a[from + i]); // Math.min propagates nan, as numpy does
        }
        return n == 0 ? Double.NaN : m;
    }

    /** {@code np.max} over a range: nan if any element is nan. */
    static double max(double[] a, int from, int n) {
        // Four independent running maxima; Math.max propagates nan, as numpy does.
        double m0 = Double.NEGATIVE_INFINITY, m1 = m0, m2 = m0, m3 = m0;
        int i = 0;
        for (; i + 4 <= n; i += 4) {
            m0 = Math.max(m0, a[from + i]);
            m1 = Math.max(m1, a[from + i + 1]);
            m2 = Math.max(m2, a[from + i + 2]);
            m3 = Math.max(m3, a[from + i + 3]);
        }
        for (; i < n; i++) {
            m0 = Math.max(m0, a[from + i]);
        }
        return n == 0 ? Double.NaN : Math.max(Math.max(m0, m1), Math.max(m2, m3));
    }

    /**
     * {@code np.corrcoef(x, y)[0, 1]}: covariance with ddof 1 divided by both standard deviations,
     * in numpy's order of operations; nan when either input is constant or has one element. The
     * means are numpy's bit for bit; the three sums of products are sequential, because numpy takes
     * them from BLAS, whose order of addition depends on the machine: equal to numpy's to about
     * 1e-15.
     */
    static double pearson(double[] x, double[] y) {
        int n = x.length;
        double mx = mean(x, 0, n);
        double my = mean(y, 0, n);
        double sxx = 0.0, syy = 0.0, sxy = 0.0;
        for (int i = 0; i < n; i++) {
            double dx = x[i] - mx;
            double dy = y[i] - my;
            sxx += dx * dx;
            syy += dy * dy;
            sxy += dx * dy;
        }
        double fact = 1.0 / (n - 1);
        double sx = Math.sqrt(sxx * fact);
        double sy = Math.sqrt(syy * fact);
        double c = sxy * fact / sx / sy;
        if (Double.isNaN(c)) {
            return c;
        }
        return Math.max(-1.0, Math.min(1.0, c));
    }
}
