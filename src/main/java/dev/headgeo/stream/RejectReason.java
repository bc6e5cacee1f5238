package dev.headgeo.stream;

/**
 * Why a layer record went to the dead-letter topic (header {@code headgeo.reason}), in the order
 * they are checked.
 */
public enum RejectReason {
    /**
     * The value cannot be decoded as a LayerGeometry (neither Avro single-object encoding nor JSON
     * of its fields).
     */
    MALFORMED,
    /** It breaks a layer record rule (README), or its key is not its run_id. */
    INVALID,
    /**
     * Its store entry would exceed the configured maximum (well below Kafka's 1 MB message size).
     */
    TOO_LARGE,
    /** num_layers or num_heads disagree with the first record of its checkpoint. */
    INCONSISTENT_CHECKPOINT,
    /** Its checkpoint was already reported or timed out. */
    LATE,
    /**
     * Processing it failed unexpectedly; the detail says how. Not a rule of the contract: a bug to
     * report.
     */
    PROCESSING_ERROR
}
