package dev.headgeo.dump;

import java.util.Random;

/**
 * Made-up checkpoints that behave like the hypothesis says, to a chosen degree: each head's
 * spectrum decays exponentially, each layer scales it by a temperature, and multiplicative noise of
 * relative size {@code noise} bends the shape away from a pure rescale. Small noise gives
 * SUPPORTED, large noise REJECTED. Deterministic for a seed.
 */
public final class SyntheticDumps {
    private SyntheticDumps() {}

    public static Dump generate(int layers, int heads, int rank, double noise, long seed) {
        Random random = new Random(seed);
        double[] decay = new double[heads];
        double[] scale = new double[heads];
        for (int h = 0; h < heads; h++) {
            decay[h] = 4.0 + 26.0 * random.nextDouble();
            scale[h] = 0.5 + 2.5 * random.nextDouble();
        }
        double[][][] singularValues = new double[layers][heads][rank];
        double[][] entropy = new double[layers][heads];
        for (int l = 0; l < layers; l++) {
            double temperature = 0.4 + 1.6 * (l + 1) / layers;
            for (int h = 0; h < heads; h++) {
                for (int k = 0; k < rank; k++) {
                    double s = scale[h] * temperature * Math.exp(-k / decay[h]);
                    singularValues[l][h][k] = Math.abs(s * (1.0 + noise * random.nextGaussian()));
                }
                entropy[l][h] = 3.0 - 0.8 * Math.log(temperature) + 0.1 * random.nextGaussian();
            }
        }
        return new Dump(layers, heads, singularValues, entropy);
    }
}
