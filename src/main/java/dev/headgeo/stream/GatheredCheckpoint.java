package dev.headgeo.stream;

import dev.headgeo.analysis.Spectra;
import java.util.List;

/**
 * What gather-layers hands to analyse-checkpoint (in memory, never serialised): either all layers of
 * a checkpoint as spectra, or the shape of a timed-out one and the layers it never got.
 *
 * @param spectra all layers in order, or null when incomplete
 * @param maxRank longest spectrum among the layers that arrived
 */
record GatheredCheckpoint(String runId, long checkpoint, int numLayers, int numHeads, int maxRank,
                          Spectra spectra, List<Integer> missingLayers, long firstLayerAt, long completedAt) {

    boolean complete() {
        return spectra != null;
    }
}
