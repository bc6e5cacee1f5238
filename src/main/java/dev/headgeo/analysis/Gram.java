package dev.headgeo.analysis;

/**
 * Dot products of many pairs of vectors of one array, blocked so that each load of the left
 * vector serves four right vectors with two partial sums each: eight independent chains instead
 * of one. The order of addition differs from numpy's; only cosines use it, whose norms numpy
 * takes from BLAS anyway.
 */
final class Gram {
    private Gram() {
    }

    /**
     * The upper triangle (i &lt; j) of the Gram matrix of the vectors {@code v[offsets[i] .. + n)};
     * the rest of the returned matrix is zero.
     */
    static double[][] upper(double[] v, int[] offsets, int n) {
        int count = offsets.length;
        double[][] gram = new double[count][count];
        for (int i = 0; i < count - 1; i++) {
            int x = offsets[i];
            double[] row = gram[i];
            int j = i + 1;
            for (; j + 4 <= count; j += 4) {
                dot4(v, x, offsets[j], offsets[j + 1], offsets[j + 2], offsets[j + 3], n, row, j);
            }
            for (; j < count; j++) {
                row[j] = dot(v, x, offsets[j], n);
            }
        }
        return gram;
    }

    private static void dot4(double[] v, int x, int y0, int y1, int y2, int y3, int n, double[] out, int at) {
        double a0 = 0, a1 = 0, a2 = 0, a3 = 0, b0 = 0, b1 = 0, b2 = 0, b3 = 0;
        int k = 0;
        for (; k + 2 <= n; k += 2) {
            double p = v[x + k];
            double q = v[x + k + 1];
            a0 += p * v[y0 + k];
            a1 += p * v[y1 + k];
            a2 += p * v[y2 + k];
            a3 += p * v[y3 + k];
            b0 += q * v[y0 + k + 1];
            b1 += q * v[y1 + k + 1];
            b2 += q * v[y2 + k + 1];
            b3 += q * v[y3 + k + 1];
        }
        if (k < n) {
            double p = v[x + k];
            a0 += p * v[y0 + k];
            a1 += p * v[y1 + k];
            a2 += p * v[y2 + k];
            a3 += p * v[y3 + k];
        }
        out[at] = a0 + b0;
        out[at + 1] = a1 + b1;
        out[at + 2] = a2 + b2;
        out[at + 3] = a3 + b3;
    }

    private static double dot(double[] v, int x, int y, int n) {
        double a = 0, b = 0;
        int k = 0;
        for (; k + 2 <= n; k += 2) {
            a += v[x + k] * v[y + k];
            b += v[x + k + 1] * v[y + k + 1];
        }
        if (k < n) {
            a += v[x + k] * v[y + k];
        }
        return a + b;
    }
}
