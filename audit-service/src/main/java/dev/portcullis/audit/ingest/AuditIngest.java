package dev.portcullis.audit.ingest;

import static java.util.Objects.requireNonNull;

import dev.portcullis.audit.chain.CheckpointSigner;
import dev.portcullis.audit.chain.Checkpoint;
import dev.portcullis.audit.chain.StoredEvent;
import dev.portcullis.audit.store.AppendResult;
import dev.portcullis.audit.store.AuditStore;
import dev.portcullis.runtime.audit.AuditEvent;
import dev.portcullis.runtime.telemetry.Counter;
import dev.portcullis.runtime.telemetry.Telemetry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ingests batches of audit events: stores them in the chain, hands the newly stored ones to the
 * listeners (the anomaly rules), and signs a checkpoint of the chain head every
 * {@code checkpointEvery} events or {@code checkpointInterval}, whichever comes first.
 * Thread-safe.
 */
public final class AuditIngest implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AuditIngest.class);

    /** Told about events once they are stored, in chain order. */
    public interface StoredEventListener {
        void onStored(List<StoredEvent> events);
    }

    private final AuditStore store;
    private final CheckpointSigner signer;
    private final int checkpointEvery;
    private final Duration checkpointInterval;
    private final Clock clock;
    private final List<StoredEventListener> listeners;
    private final Counter ingested;
    // guarded by this
    private Optional<Checkpoint> lastCheckpoint;

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
        this.signer = requireNonNull(signer, "signer is null");
        this.checkpointEvery = checkpointEvery;
        this.checkpointInterval = requireNonNull(checkpointInterval, "checkpointInterval is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.listeners = List.copyOf(listeners);
        this.lastCheckpoint = store.latestCheckpoint();
    }

    /**
     * Stores {@code events} (each id once) and returns what was stored.
     *
     * @throws dev.portcullis.runtime.error.DomainException UNAVAILABLE when the store is down
     */
    public AppendResult append(List<AuditEvent> events) {
        AppendResult result = store.append(events);
        // actions and outcomes are closed vocabularies: bounded labels (never actor, run or repo)
        result.stored().forEach(stored -> ingested.add(Map.of("action", stored.event().action().dottedName(),
                "outcome", stored.event().outcome().name())));
        if (!result.stored().isEmpty()) {
            for (StoredEventListener listener : listeners) {
                try {
                    listener.onStored(result.stored());
                } catch (RuntimeException e) {
                    // the events are stored; a failing rule must not turn that into an error for the sender
                    log.atError().setCause(e).log("audit.listener_failed");
                }
            }
            checkpointIfDue(result.stored().get(result.stored().size() - 1).sequence());
        }
        return result;
    }

    /**
     * Signs a checkpoint of the head now, if events arrived since the last one: before an export,
     * and at shutdown, so a tail cut off while the service is down is caught.
     */
    public synchronized Optional<Checkpoint> checkpointHead() {
        long head = store.headSequence();
        if (head <= lastCheckpoint.map(Checkpoint::sequence).orElse(0L)) {
            return Optional.empty();
        }
        return sign(head);
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
    public Optional<Checkpoint> checkpointIfDue() {
        return checkpointIfDue(store.headSequence());
    }

    private synchronized Optional<Checkpoint> checkpointIfDue(long head) {
        long lastSequence = lastCheckpoint.map(Checkpoint::sequence).orElse(0L);
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

    private Optional<Checkpoint> sign(long head) {
        Instant now = clock.instant();
        Optional<String> hash = store.hashAt(head);
        if (hash.isEmpty()) {
            return Optional.empty();
        }
        Checkpoint checkpoint = signer.sign(head, hash.get(), Instant.ofEpochMilli(now.toEpochMilli()));
        store.saveCheckpoint(checkpoint);
        lastCheckpoint = Optional.of(checkpoint);
        log.atInfo().addKeyValue("sequence", head).addKeyValue("key_id", checkpoint.keyId()).log("audit.checkpoint_signed");
        return lastCheckpoint;
    }
}
