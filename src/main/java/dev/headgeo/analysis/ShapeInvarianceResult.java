package dev.headgeo.analysis;

/**
 * Experiment 1: per head, the mean pairwise cosine of the normalised spectrum shape across layers,
 * and its summary over heads. Values are nan where the script's are (one layer).
 */
public record ShapeInvarianceResult(
        double mean, double std, double min, double max, double[] perHead, Stability stability) {}
