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

    /** Counts one accepted delivery at {@code at}. */
    void recordDelivery(SourceName source, Instant at);

    /** Counts one refused delivery at {@code at} for {@code reason}. */
    void recordRefusal(SourceName source, Instant at, String reason);

    /** Every registered source's activity, by name. */
    List<SourceActivity> all();
}
