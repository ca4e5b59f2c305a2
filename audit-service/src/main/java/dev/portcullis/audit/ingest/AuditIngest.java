package dev.portcullis.audit.ingest;

import static java.util.Objects.requireNonNull;

import dev.portcullis.audit.chain.CheckpointSigner;
import dev.portcullis.audit.chain.LogProofs;
import dev.portcullis.runtime.error.DomainException;
import dev.portcullis.audit.chain.SignedCheckpoint;
import dev.portcullis.audit.chain.StoredEvent;
import dev.portcullis.audit.store.AppendResult;
import dev.portcullis.audit.store.AuditStore;
import dev.portcullis.runtime.audit.AuditAction;
import dev.portcullis.runtime.audit.AuditEvent;
import dev.portcullis.runtime.audit.AuditOutcome;
import dev.portcullis.runtime.telemetry.Counter;
import dev.portcullis.runtime.telemetry.Telemetry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ingests batches of audit events: stores them in the chain, hands the newly stored ones to the
 * listeners (the anomaly rules), and signs a checkpoint of the Merkle tree (a C2SP signed note)
 * every {@code checkpointEvery} events or {@code checkpointInterval}, whichever comes first, at
 * shutdown, and on demand.
 * Thread-safe.
 */
public final class AuditIngest implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AuditIngest.class);
    private static final String LOG_INCONSISTENT = "LOG_INCONSISTENT";

    /** Told about events once they are stored, in chain order. */
    public interface StoredEventListener {
        void onStored(List<StoredEvent> events);
    }

    private final AuditStore store;
    private final LogProofs proofs;
    private final CheckpointSigner signer;
    private final int checkpointEvery;
    private final Duration checkpointInterval;
    private final Clock clock;
    private final List<StoredEventListener> listeners;
    private final Counter ingested;
    // guarded by this
    private Optional<SignedCheckpoint> lastCheckpoint;

    public AuditIngest(AuditStore store, CheckpointSigner signer, int checkpointEvery, Duration checkpointInterval,
            Clock clock, List<StoredEventListener> listeners) {
        this(store, signer, checkpointEvery, checkpointInterval, clock, listeners, Telemetry.disabled("audit"));
    }

    /** As above, counting stored events ({@code portcullis.audit.events}) by action and outcome. */
    public AuditIngest(AuditStore store, CheckpointSigner signer, int checkpointEvery, Duration checkpointInterval,
            Clock clock, List<StoredEventListener> listeners, Telemetry telemetry) {
        this.ingested = requireNonNull(telemetry, "telemetry is null").counter("portcullis.audit.events", "{event}",
                "audit events stored in the chain (each id once), by action and outcome");
        this.store = requireNonNull(store, "store is null");
        this.proofs = new LogProofs(store);
        this.signer = requireNonNull(signer, "signer is null");
        this.checkpointEvery = checkpointEvery;
        this.checkpointInterval = requireNonNull(checkpointInterval, "checkpointInterval is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.listeners = List.copyOf(listeners);
        this.lastCheckpoint = store.latestTreeCheckpoint();
    }

    /**
     * Stores {@code events} (each id once) and returns what was stored.
     *
     * @throws dev.portcullis.runtime.error.DomainException UNAVAILABLE when the store is down
     */
    public AppendResult append(List<AuditEvent> events) {
        AppendResult result = store.append(events);
        // actions and outcomes are closed vocabularies: bounded labels (never actor, run or repo);
        // counted per batch, so a batch of 500 adds to a few series, not 500 times
        Map<AuditAction, Map<AuditOutcome, Long>> counts = new EnumMap<>(AuditAction.class);
        result.stored().forEach(stored -> counts.computeIfAbsent(stored.event().action(), action -> new EnumMap<>(AuditOutcome.class))
                .merge(stored.event().outcome(), 1L, Long::sum));
        counts.forEach((action, byOutcome) -> byOutcome.forEach((outcome, count) ->
                ingested.add(count, Map.of("action", action.dottedName(), "outcome", outcome.name()))));
        if (!result.stored().isEmpty()) {
            for (StoredEventListener listener : listeners) {
                try {
                    listener.onStored(result.stored());
                } catch (RuntimeException e) {
                    // the events are stored; a failing rule must not turn that into an error for the sender
                    log.atError().setCause(e).log("audit.listener_failed");
                }
            }
            try {
                checkpointIfDue(result.stored().get(result.stored().size() - 1).sequence());
            } catch (DomainException e) {
                if (!LOG_INCONSISTENT.equals(e.reason())) {
                    throw e;
                }
                // the events are stored; a log that no longer extends its checkpoint is for a human,
                // and the sender resending would change nothing
                log.atError().addKeyValue("reason", e.reason()).log("audit.log_inconsistent");
            }
        }
        return result;
    }

    /**
     * Signs a checkpoint of the head now, if events arrived since the last one: at shutdown, so a
     * tail cut off while the service is down is caught.
     */
    public synchronized Optional<SignedCheckpoint> checkpointHead() {
        long head = store.treeSize();
        if (head <= lastCheckpoint.map(SignedCheckpoint::size).orElse(0L)) {
            return Optional.empty();
        }
        return sign(head);
    }

    /**
     * A checkpoint of the whole log as it is now, signed now unless the newest one (of any
     * replica) already covers the head: what an export ends with and what an auditor asks for.
     *
     * @throws DomainException UNAVAILABLE when the store is down; PRECONDITION (LOG_INCONSISTENT)
     *     when the stored tree does not extend the newest checkpoint, so nothing is signed
     */
    public synchronized Optional<SignedCheckpoint> checkpointNow() {
        long head = store.treeSize();
        Optional<SignedCheckpoint> newest = store.latestTreeCheckpoint();
        if (newest.isPresent() && newest.get().size() == head) {
            return newest;
        }
        return head == 0 ? Optional.empty() : sign(head);
    }

    /** Signs a checkpoint of the head at shutdown. */
    @Override
    public void close() {
        try {
            checkpointHead();
        } catch (RuntimeException e) {
            log.atWarn().setCause(e).log("audit.shutdown_checkpoint_failed");
        }
    }

    /** Signs a checkpoint of the head when enough events or time have passed since the last one. */
    public Optional<SignedCheckpoint> checkpointIfDue() {
        return checkpointIfDue(store.treeSize());
    }

    private synchronized Optional<SignedCheckpoint> checkpointIfDue(long head) {
        long lastSequence = lastCheckpoint.map(SignedCheckpoint::size).orElse(0L);
        if (head <= lastSequence) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        boolean byCount = head - lastSequence >= checkpointEvery;
        boolean byTime = lastCheckpoint.map(c -> !now.isBefore(c.signedAt().plus(checkpointInterval))).orElse(true);
        if (!byCount && !byTime) {
            return Optional.empty();
        }
        return sign(head);
    }

    /**
     * Signs the stored tree of {@code size} leaves, after proving from the stored nodes that it
     * extends the newest checkpoint signed before (by any replica): the service never signs a log
     * that changed or lost what it signed earlier.
     */
    private Optional<SignedCheckpoint> sign(long size) {
        Instant now = clock.instant();
        // the root comes from the stored tree: the nodes the appends wrote, never a recomputation
        byte[] root = proofs.root(size);
        Optional<SignedCheckpoint> previous = store.latestTreeCheckpoint();
        if (previous.isPresent() && !proofs.extendsCheckpoint(previous.get(), size, root, signer.publicKey())) {
            throw new DomainException(DomainException.Kind.PRECONDITION, LOG_INCONSISTENT,
                    "the stored log does not extend its newest signed checkpoint: not signing",
                    Map.of("tree_size", Long.toString(size), "checkpoint_size", Long.toString(previous.get().size())));
        }
        SignedCheckpoint checkpoint = signer.signTree(size, root, Instant.ofEpochMilli(now.toEpochMilli()));
        store.saveTreeCheckpoint(checkpoint);
        lastCheckpoint = Optional.of(checkpoint);
        log.atInfo().addKeyValue("tree_size", size).addKeyValue("origin", signer.origin()).log("audit.checkpoint_signed");
        return lastCheckpoint;
    }
}
