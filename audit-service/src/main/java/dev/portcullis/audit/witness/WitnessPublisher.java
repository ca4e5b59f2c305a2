package dev.portcullis.audit.witness;

import static java.util.Objects.requireNonNull;

import dev.portcullis.audit.alert.Alert;
import dev.portcullis.audit.alert.AlertPipeline;
import dev.portcullis.audit.alert.AlertRule;
import dev.portcullis.audit.chain.CheckpointSigner;
import dev.portcullis.audit.chain.LogProofs;
import dev.portcullis.audit.chain.MerkleProofs;
import dev.portcullis.audit.chain.SignedCheckpoint;
import dev.portcullis.audit.chain.StoredChain;
import java.io.IOException;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes every signed checkpoint, in size order, to each witness, from its own thread: appends
 * and signing never wait for a witness. What is still unpublished is read from the stored
 * checkpoints and each witness's {@link WitnessCursor}, so a restart (or another replica) resumes.
 * A failed attempt is retried with doubling backoff and after {@code alertAfterFailures} in a row
 * raises {@code witness_failing} (HIGH), once per streak. A witness that holds a checkpoint the log
 * cannot prove it extends (it rejects the consistency proof, holds a checkpoint of the same size
 * with another root, or holds a larger tree than the log,
 * or, for a {@link CheckpointArchive}, its newest checkpoint, read back at start and before each
 * round of publishing there, is not one the log extends) raises {@code log_inconsistent}
 * (CRITICAL), once per checkpoint. The cosignatures a witness returns, checked by its client with
 * the witness's verifier key, are kept with the publication state; an answer whose cosignature does
 * not verify is a failed attempt. Thread-safe.
 */
public final class WitnessPublisher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(WitnessPublisher.class);
    /** Conflicts followed for one checkpoint in one attempt before it counts as a failure. */
    private static final int MAX_ROUNDS = 3;

    /** How publishing retries and when it alerts. */
    public record Retry(Duration initialBackoff, Duration maxBackoff, int alertAfterFailures) {
        public Retry {
            requireNonNull(initialBackoff, "initialBackoff is null");
            requireNonNull(maxBackoff, "maxBackoff is null");
            if (alertAfterFailures < 1) {
                throw new IllegalArgumentException("alertAfterFailures must be at least 1");
            }
        }
    }

    private final StoredChain chain;
    private final PublicKey logKey;
    private final LogProofs proofs;
    private final WitnessStore cursors;
    private final List<CheckpointWitness> witnesses;
    private final AlertPipeline alerts;
    private final Retry retry;
    private final Clock clock;
    private final ScheduledExecutorService thread;
    // guarded by this: when each witness may be tried again after a failure
    private final Map<String, Instant> notBefore = new HashMap<>();
    // guarded by this: the archives whose newest checkpoint this process has checked
    private final Set<String> archivesChecked = new HashSet<>();

    /**
     * @param logKey the public key checkpoints are signed with: archived notes are checked with it
     */
    public WitnessPublisher(StoredChain chain, PublicKey logKey, WitnessStore cursors, List<CheckpointWitness> witnesses,
            AlertPipeline alerts, Retry retry, Clock clock) {
        this.chain = requireNonNull(chain, "chain is null");
        this.logKey = requireNonNull(logKey, "logKey is null");
        this.proofs = new LogProofs(chain);
        this.cursors = requireNonNull(cursors, "cursors is null");
        this.witnesses = List.copyOf(witnesses);
        this.alerts = requireNonNull(alerts, "alerts is null");
        this.retry = requireNonNull(retry, "retry is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.thread = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread t = new Thread(runnable, "audit-witness-publisher");
            t.setDaemon(true);
            return t;
        });
    }

    /** Looks for unpublished checkpoints every {@code pollInterval} on the publisher's own thread. */
    public void start(Duration pollInterval) {
        thread.scheduleWithFixedDelay(this::publishQuietly, 0, pollInterval.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void publishQuietly() {
        try {
            publishPending();
        } catch (RuntimeException e) {
            // the database or the alert store is down: try again next round
            log.atWarn().setCause(e).log("audit.witness_round_failed");
        }
    }

    /**
     * Publishes every checkpoint each witness lacks, oldest first, skipping witnesses in backoff.
     * Blocks on the database and the witnesses.
     */
    public synchronized void publishPending() {
        for (CheckpointWitness witness : witnesses) {
            if (clock.instant().isBefore(notBefore.getOrDefault(witness.name(), Instant.MIN))) {
                continue;
            }
            WitnessCursor cursor = cursors.cursor(witness.name()).orElse(WitnessCursor.start(witness.name()));
            List<SignedCheckpoint> pending = chain.treeCheckpoints(cursor.publishedSize() + 1, Long.MAX_VALUE);
            if (witness instanceof CheckpointArchive archive) {
                if (!pending.isEmpty() || !archivesChecked.contains(archive.name())) {
                    publishToArchive(archive, cursor, pending);
                }
                continue;
            }
            for (SignedCheckpoint checkpoint : pending) {
                cursor = publish(witness, cursor, checkpoint);
                if (cursor.publishedSize() < checkpoint.size()) {
                    break; // failed: later checkpoints wait, so the witness sees them in order
                }
            }
        }
    }

    /**
     * An archive checks no proof, so the publisher does: it reads the newest checkpoint the archive
     * keeps and publishes each pending one only after proving from the stored tree that it extends
     * that one; with none pending (at start) it proves the whole log does. A log that does not is
     * {@code log_inconsistent}, and nothing more is published there, so the newest object stays
     * the evidence.
     */
    private void publishToArchive(CheckpointArchive archive, WitnessCursor start, List<SignedCheckpoint> pending) {
        WitnessCursor cursor = start;
        String origin = CheckpointSigner.origin(logKey);
        Optional<String> note;
        try {
            note = archive.newest(origin, cursor.publishedSize());
        } catch (IOException e) {
            failed(archive, cursor, cursor.publishedSize(), e.getMessage());
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        archivesChecked.add(archive.name());
        Optional<SignedCheckpoint> held = note.flatMap(text -> CheckpointSigner.open(text, logKey)
                .map(head -> new SignedCheckpoint(head, text, clock.instant())));
        if (note.isPresent() && held.isEmpty()) {
            // not signed by our key: someone with write access to the bucket, not the log, is at fault
            log.atWarn().addKeyValue("witness", archive.name()).log("audit.witness_checkpoint_unsigned");
        }
        if (pending.isEmpty()) {
            long size = chain.treeSize();
            if (held.isPresent() && !extendsHeld(held.get(), size, proofs.root(size))) {
                inconsistent(archive, cursor, size, origin, held.get().size());
            }
            return;
        }
        for (SignedCheckpoint checkpoint : pending) {
            if (held.isPresent() && !extendsHeld(held.get(), checkpoint.size(), checkpoint.head().root())) {
                inconsistent(archive, cursor, checkpoint.size(), origin, held.get().size());
                return;
            }
            if (held.isPresent() && checkpoint.size() <= held.get().size()) {
                // already kept (by another replica, or before a restart lost the cursor)
                cursor = cursor.accepted(checkpoint.size());
                cursors.save(cursor);
                continue;
            }
            cursor = publish(archive, cursor, checkpoint);
            if (cursor.publishedSize() < checkpoint.size()) {
                return;
            }
            held = Optional.of(checkpoint);
        }
    }

    /** True when the stored tree of {@code size} leaves with {@code root} extends {@code held}, or is it. */
    private boolean extendsHeld(SignedCheckpoint held, long size, byte[] root) {
        if (size < held.size()) {
            // an older checkpoint than the one kept: the stored tree must lead from it to the kept one
            return held.size() <= chain.treeSize() && proofs.extendsCheckpoint(held, held.size(), proofs.root(held.size()), logKey)
                    && MerkleProofs.verifyConsistency(size, held.size(), proofs.consistency(size, held.size()).hashes(), root,
                            held.head().root());
        }
        return proofs.extendsCheckpoint(held, size, root, logKey);
    }

    private WitnessCursor publish(CheckpointWitness witness, WitnessCursor start, SignedCheckpoint checkpoint) {
        WitnessCursor cursor = start;
        try {
            for (int round = 0; round < MAX_ROUNDS; round++) {
                long old = cursor.witnessSize();
                if (old > chain.treeSize()) {
                    return inconsistent(witness, cursor, checkpoint.size(), checkpoint.head().origin(), old);
                }
                if (old > checkpoint.size()) {
                    // the witness already holds a larger tree (another replica published it): the
                    // next larger checkpoint is offered as extending it, and the witness checks that
                    cursor = cursor.skippedTo(checkpoint.size());
                    cursors.save(cursor);
                    return cursor;
                }
                List<byte[]> proof = proofs.consistency(old, checkpoint.size()).hashes();
                CheckpointWitness.WitnessAnswer answer = witness.submit(old, proof, checkpoint);
                if (answer instanceof CheckpointWitness.WitnessAnswer.Cosigned cosigned) {
                    cursors.saveCosignatures(witness.name(), checkpoint.size(), cosigned.cosignatures());
                    cursor = cursor.accepted(checkpoint.size());
                    cursors.save(cursor);
                    notBefore.remove(witness.name());
                    log.atDebug().addKeyValue("witness", witness.name()).addKeyValue("tree_size", checkpoint.size())
                            .log("audit.checkpoint_witnessed");
                    return cursor;
                }
                if (answer instanceof CheckpointWitness.WitnessAnswer.ProofRejected) {
                    return inconsistent(witness, cursor, checkpoint.size(), checkpoint.head().origin(), old);
                }
                long held = ((CheckpointWitness.WitnessAnswer.Conflict) answer).witnessSize();
                if (held == old && old == checkpoint.size()) {
                    // tlog-witness: a checkpoint of the size the witness holds, with another root
                    return inconsistent(witness, cursor, checkpoint.size(), checkpoint.head().origin(), old);
                }
                if (held == old) {
                    break;
                }
                cursor = cursor.holding(held);
                cursors.save(cursor);
            }
            return failed(witness, cursor, checkpoint.size(), "the witness kept answering 409 Conflict");
        } catch (IOException e) {
            return failed(witness, cursor, checkpoint.size(), e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return cursor;
        }
    }

    /** The witness holds a checkpoint of {@code held} leaves that the log, offering {@code size}, does not extend. */
    private WitnessCursor inconsistent(CheckpointWitness witness, WitnessCursor cursor, long size, String origin, long held) {
        log.atError().addKeyValue("witness", witness.name()).addKeyValue("tree_size", size)
                .addKeyValue("witness_size", held).log("audit.witness_log_inconsistent");
        if (cursor.inconsistentSize() != size) {
            alerts.raise(new Alert(AlertRule.LOG_INCONSISTENT.ruleName(), Alert.Severity.CRITICAL,
                    "witness " + witness.name() + " holds a checkpoint of " + held
                            + " events the log cannot prove it extends: the log was rewritten or cut",
                    List.of(), Map.of("witness", witness.name(), "witness_size", Long.toString(held),
                            "checkpoint_size", Long.toString(size), "origin", origin),
                    clock.instant()));
        }
        WitnessCursor next = cursor.inconsistentAt(size);
        cursors.save(next);
        backOff(witness, next);
        return next;
    }

    private WitnessCursor failed(CheckpointWitness witness, WitnessCursor cursor, long size, String error) {
        WitnessCursor next = cursor.failed();
        cursors.save(next);
        log.atWarn().addKeyValue("witness", witness.name()).addKeyValue("tree_size", size)
                .addKeyValue("failures", next.failures()).addKeyValue("error", error).log("audit.witness_publish_failed");
        if (next.failures() == retry.alertAfterFailures()) {
            alerts.raise(new Alert(AlertRule.WITNESS_FAILING.ruleName(), Alert.Severity.HIGH,
                    "publishing checkpoints to witness " + witness.name() + " failed " + next.failures() + " times in a row",
                    List.of(), Map.of("witness", witness.name(), "failures", Integer.toString(next.failures()),
                            "checkpoint_size", Long.toString(size), "error", error),
                    clock.instant()));
        }
        backOff(witness, next);
        return next;
    }

    private void backOff(CheckpointWitness witness, WitnessCursor cursor) {
        long doublings = Math.min(cursor.failures() - 1, 30);
        Duration wait = retry.initialBackoff().multipliedBy(1L << Math.max(doublings, 0));
        notBefore.put(witness.name(), clock.instant().plus(wait.compareTo(retry.maxBackoff()) > 0 ? retry.maxBackoff() : wait));
    }

    /**
     * Stops the publisher's thread (a publication under way is interrupted and resumes at the next
     * start), then closes the witnesses that hold connections.
     */
    @Override
    public void close() {
        thread.shutdownNow();
        try {
            thread.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (CheckpointWitness witness : witnesses) {
            if (witness instanceof AutoCloseable closeable) {
                try {
                    closeable.close();
                } catch (Exception e) {
                    log.atWarn().addKeyValue("witness", witness.name()).setCause(e).log("audit.witness_close_failed");
                }
            }
        }
    }
}
