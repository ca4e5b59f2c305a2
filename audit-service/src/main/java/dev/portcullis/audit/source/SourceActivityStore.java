package dev.portcullis.audit.source;

import java.time.Instant;
import java.util.List;

/**
 * Port: per-source delivery counters. Implementations are thread-safe and may be shared by
 * several service replicas (increments are atomic in the store). Every method blocks on the
 * store; an unreachable store throws {@link dev.portcullis.runtime.error.DomainException} of kind
 * {@code UNAVAILABLE} with reason {@code STORE_UNAVAILABLE}.
 */
public interface SourceActivityStore {

    /** Starts counting for {@code source} as of {@code now}, unless it is counted already. */
    void register(SourceName source, Instant now);

    /** Adds {@code count} accepted deliveries, the newest at {@code newest}. */
    void recordDeliveries(SourceName source, long count, Instant newest);

    /** Adds {@code count} refused deliveries, the newest at {@code newest} for {@code newestReason}. */
    void recordRefusals(SourceName source, long count, Instant newest, String newestReason);

    /** Every registered source's activity, by name. */
    List<SourceActivity> all();
}
