package dev.portcullis.console.refusal;

/** Where the console's own refusals go on their way to the audit log. */
public interface Refusals {
    /** Records {@code refusal}; never blocks and never throws for a delivery problem. Thread-safe. */
    void record(Refusal refusal);
}
