package dev.portcullis.console.refusal;

/** Where the console's own refusals go on their way to the audit log. */
public interface Refusals {
    /**
     * Records {@code refusal}; never waits for the audit service and never throws for a delivery problem (it may
     * wait for a local disk sync). Thread-safe.
     */
    void record(Refusal refusal);
}
