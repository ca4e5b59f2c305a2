package dev.portcullis.gateway.run;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.Instant;

/**
 * The outbox relay round: once a second, hands on audit events that committed run changes left
 * waiting in the store (the gateway that committed them died before the hand-off, or its outbox
 * was full), claiming them for a lease so replicas do not relay the same events at once.
 */
final class AuditRelay {
    /** A change's own hand-off takes milliseconds: rows older than this were left behind. */
    static final Duration RELAY_AFTER = Duration.ofSeconds(5);
    private static final Duration RELAY_EVERY = Duration.ofSeconds(1);
    private static final int BATCH = 500;

    private final RunStore store;
    private final Duration claim;
    /** Touched by the driver's loop thread only. */
    private Instant lastRelay = Instant.MIN;

    /** @param claim how long a relay's claim on the events it hands on lasts */
    AuditRelay(RunStore store, Duration claim) {
        this.store = requireNonNull(store, "store is null");
        this.claim = requireNonNull(claim, "claim is null");
    }

    /** Relays one batch when a second passed since the last round. */
    void relayIfDue(Instant now) {
        if (Duration.between(lastRelay, now).compareTo(RELAY_EVERY) >= 0) {
            store.relayAudit(now.minus(RELAY_AFTER), now, now.plus(claim), BATCH);
            lastRelay = now;
        }
    }
}
