package dev.portcullis.audit.alert;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Port: the stored alerts, in one dense sequence, and the dead letters of their delivery.
 * Implementations are thread-safe and may be shared by several service replicas: sequences stay
 * dense and unique, and an alert becomes visible only after every alert with a lower sequence.
 * Every method blocks on the store; a store that cannot be reached throws
 * {@link dev.portcullis.runtime.error.DomainException} of kind {@code UNAVAILABLE} with reason
 * {@code STORE_UNAVAILABLE}, and nothing is written half-way.
 */
public interface AlertStore {
    /** Largest page {@link #list} and {@link #after} return. */
    int MAX_PAGE = 1000;

    /** Stores {@code alert} under the next sequence (1 for the first) and returns it so. */
    StoredAlert append(Alert alert);

    /**
     * Stores {@code alerts} under consecutive sequences, in their order, in one transaction (all or
     * none), and returns them so: what one batch of events raises costs one round of writes, not
     * one per alert. An empty list stores nothing.
     */
    List<StoredAlert> appendAll(List<Alert> alerts);

    /**
     * Alerts newest first: those with a sequence below {@code beforeSequence}
     * ({@code Long.MAX_VALUE} for the first page), raised at or after {@code since} when given, of
     * {@code rule} when given; at most {@code limit} (1 to {@value #MAX_PAGE}).
     */
    List<StoredAlert> list(Optional<Instant> since, Optional<String> rule, long beforeSequence, int limit);

    /** Alerts with a sequence above {@code sequence}, oldest first, at most {@code limit} (1 to {@value #MAX_PAGE}). */
    List<StoredAlert> after(long sequence, int limit);

    /**
     * Records that delivering {@code alert} to {@code sink} was given up after {@code attempts}
     * tries, the last failing with {@code lastError} (safe words; cut to 1024 characters).
     */
    void recordDeadLetter(StoredAlert alert, String sink, int attempts, String lastError);

    /** Every dead letter, oldest first. */
    List<DeadLetter> deadLetters();
}
