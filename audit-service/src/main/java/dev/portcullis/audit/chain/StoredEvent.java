package dev.portcullis.audit.chain;

import static java.util.Objects.requireNonNull;

import dev.portcullis.runtime.audit.AuditEvent;
import java.time.Instant;

/** An event at its place in the chain. */
public record StoredEvent(long sequence, AuditEvent event, Instant storedAt, String previousHash, String hash) {
    public StoredEvent {
        requireNonNull(event, "event is null");
        requireNonNull(storedAt, "storedAt is null");
        requireNonNull(previousHash, "previousHash is null");
        requireNonNull(hash, "hash is null");
    }

    /** True when this row's hash is what its content and predecessor say it must be. */
    public boolean hashHolds() {
        return hash.equals(ChainHash.of(previousHash, sequence, storedAt, event));
    }
}
