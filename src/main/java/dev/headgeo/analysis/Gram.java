package dev.headgeo.analysis;

/**
 * Dot products of many pairs of vectors of one array, blocked two left vectors by four right ones:
 * each load serves two or four products, and eight sums run independently instead of one long
 * chain. The order of addition differs from numpy's; only cosines use it, whose norms numpy takes
 * from BLAS anyway.
 */
final class Gram {
    private Gram() {}

    /**
     * The upper triangle (i &lt; j) of the Gram matrix of the vectors {@code v[offsets[i] .. + n)};
     * the rest of the returned matrix is zero.
     */
    static double[][] upper(double[] v, int[] offsets, int n) {
        int count = offsets.length;
        double[][] gram = new double[count][count];
        int i = 0;
        // Two left vectors at a time against four right ones: each load serves two or four
        // products.
        for (; i + 1 < count; i += 2) {
            int x0 = offsets[i];
            int x1 = offsets[i + 1];
            gram[i][i + 1] = dot(v, x0, x1, n);
            int j = i + 2;
            for (; j + 4 <= count; j += 4) {
                dot2x4(
                        v,
                        x0,
                        x1,
                        offsets[j],
                        offsets[j + 1],
                        offsets[j + 2],
                        offsets[j + 3],
                        n,
                        gram[i],
                        gram[i + 1],
                        j);
            }
            for (; j < count; j++) {
                gram[i][j] = dot(v, x0, offsets[j], n);
                gram[i + 1][j] = dot(v, x1, offsets[j], n);
            }
        }
        return gram;
    }

    private static void dot2x4(
            double[] v,
            int x0,
            int x1,
            int y0,
            int y1,
            int y2,
            int y3,
            int n,
            double[] out0,
            double[] out1,
            int at) {
        double a0 = 0, a1 = 0, a2 = 0, a3 = 0, b0 = 0, b1 = 0, b2 = 0, b3 = 0;
        for (int k = 0; k < n; k++) {
            double p = v[x0 + k];
            double q = v[x1 + k];
            double c0 = v[y0 + k];
            double c1 = v[y1 + k];
            double c2 = v[y2 + k];
            double c3 = v[y3 + k];
            a0 += p * c0;
            a1 += p * c1;
            a2 += p * c2;
            a3 += p * c3;
            b0 += q * c0;
            b1 += q * c1;
            b2 += q * c2;
            b3 += q * c3;
        }
        out0[at] = a0;
        out0[at + 1] = a1;
        out0[at + 2] = a2;
        out0[at + 3] = a3;
        out1[at] = b0;
        out1[at + 1] = b1;
        out1[at + 2] = b2;
        out1[at + 3] = b3;
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
