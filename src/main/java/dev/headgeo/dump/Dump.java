package dev.headgeo.dump;

import dev.headgeo.analysis.Spectra;

/**
 * A whole checkpoint in the reference script's file layout ({@code num_layers}, {@code num_heads},
 * {@code static[]}, {@code dynamic[]}), validated.
 *
 * @param singularValues [layer][head][k], ragged in k
 * @param entropy [layer][head]
 */
public record Dump(int numLayers, int numHeads, double[][][] singularValues, double[][] entropy) {

    public Spectra spectra() {
        return new Spectra(singularValues, entropy);
    }
}
