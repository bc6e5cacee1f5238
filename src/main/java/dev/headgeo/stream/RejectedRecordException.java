package dev.headgeo.stream;

/**
 * Thrown by a processor for a record it must not use; the processing exception handler turns it
 * into a dead letter and processing continues. No stack trace: it is a verdict on data, not a bug.
 */
public final class RejectedRecordException extends RuntimeException {
    private final RejectReason reason;

    public RejectedRecordException(RejectReason reason, String detail) {
        super(detail, null, false, false);
        this.reason = reason;
    }

    public RejectReason reason() {
        return reason;
    }
}
