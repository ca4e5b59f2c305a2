package dev.portcullis.runtime.outbox;

/**
 * The spool holds as many unacknowledged bytes as it may: the audit service has not been
 * acknowledging for a while. The event was not recorded; the caller must refuse the work it
 * was about to audit (fail closed). Carries no event contents.
 */
public final class OutboxFullException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Carries the two sizes only: no event contents. */
    public OutboxFullException(long unackedBytes, long maxSpoolBytes) {
        super("the audit outbox is full (" + unackedBytes + " of " + maxSpoolBytes
                + " bytes unacknowledged): audit delivery is failing");
    }
}
