package dev.headgeo.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.headgeo.wire.Json;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The kernels against numpy's own results ({@code tools/numpy_kernels.py}, numpy 2.4): NumpySum bit
 * for bit where it claims numpy's order, pearson close (numpy's corrcoef sums through BLAS, whose
 * order is the machine's), and Gram against the naive product.
 */
class NumpyKernelsTest {
    record Case(double[] x, double[] y, JsonNode expected) {
        double get(String name) {
            return Double.parseDouble(expected.get(name).asText().replace("nan", "NaN"));
        }

        @Override
        public String toString() {
            return "n=" + x.length;
        }
    }

    static List<Case> cases() throws IOException {
        try (InputStream in =
                NumpyKernelsTest.class.getResourceAsStream("/kernels/numpy_sums.json")) {
            List<Case> out = new ArrayList<>();
            for (JsonNode c : Json.MAPPER.readTree(in).get("cases")) {
                out.add(new Case(doubles(c.get("x")), doubles(c.get("y")), c));
            }
            return out;
        }
    }

    static Stream<Case> nonEmpty() throws IOException {
        return cases().stream().filter(c -> c.x().length > 0);
    }

    static double[] doubles(JsonNode hex) {
        double[] out = new double[hex.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = Double.parseDouble(hex.get(i).asText());
        }
        return out;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void sumAndDotAreNumpysToTheLastBit(Case c) {
        int n = c.x().length;
        assertThat(NumpySum.sum(c.x(), 0, n)).isEqualTo(c.get("sum"));
        assertThat(NumpySum.dot(c.x(), 0, c.y(), 0, n)).isEqualTo(c.get("dot"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("nonEmpty")
    void meanStdMinMaxAreNumpysToTheLastBit(Case c) {
        int n = c.x().length;
        assertThat(NumpySum.mean(c.x(), 0, n)).isEqualTo(c.get("mean"));
        assertThat(NumpySum.std(c.x(), 0, n, new double[n])).isEqualTo(c.get("std"));
        assertThat(NumpySum.min(c.x(), 0, n)).isEqualTo(c.get("min"));
        assertThat(NumpySum.max(c.x(), 0, n)).isEqualTo(c.get("max"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("nonEmpty")
    void pearsonIsNumpysCorrcoefToTheRoundingOfBlas(Case c) {
        double expected = c.get("corrcoef");
        double actual = NumpySum.pearson(c.x(), c.y());
        if (Double.isNaN(expected)) {
            assertThat(actual).isNaN();
        } else {
            assertThat(actual).isCloseTo(expected, within(1e-13));
        }
    }

    @Test
    void theOrderMattersForTheseInputs() throws IOException {
        // a plain loop would round differently on most of these cases, so the bit-for-bit tests
        // above can fail
        int differ = 0;
        for (Case c : cases()) {
            double plain = 0;
            for (double v : c.x()) {
                plain += v;
            }
            if (plain != c.get("sum")) {
                differ++;
            }
        }
        assertThat(differ).isGreaterThan(5);
    }

    @Test
    void gramIsTheNaiveProductForEveryBlockAndTail() {
        Random random = new Random(7);
        for (int count = 1; count <= 11; count++) {
            for (int n : new int[] {1, 2, 3, 8, 33}) {
                double[] v = new double[count * n + 5];
                for (int i = 0; i < v.length; i++) {
                    v[i] = random.nextGaussian() * Math.pow(10, random.nextInt(5) - 2);
                }
                int[] offsets = new int[count];
                for (int i = 0; i < count; i++) {
                    offsets[i] =
                            5
                                    + ((i * 3) % count)
                                            * n; // vectors out of order, after an unused prefix
                }
                double[][] gram = Gram.upper(v, offsets, n);
                for (int i = 0; i < count; i++) {
                    for (int j = 0; j < count; j++) {
                        if (j <= i) {
                            assertThat(gram[i][j]).as("lower triangle %d,%d", i, j).isZero();
                            continue;
                        }
                        double naive = 0;
                        double scale = 0;
                        for (int k = 0; k < n; k++) {
                            naive += v[offsets[i] + k] * v[offsets[j] + k];
                            scale += Math.abs(v[offsets[i] + k] * v[offsets[j] + k]);
                        }
                        assertThat(gram[i][j])
                                .as("count %d n %d (%d,%d)", count, n, i, j)
                                .isCloseTo(naive, within(1e-14 * scale));
                    }
                }
            }
        }
    }
}
