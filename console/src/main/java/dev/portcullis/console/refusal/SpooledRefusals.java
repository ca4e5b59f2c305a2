package dev.portcullis.console.refusal;

import static java.util.Objects.requireNonNull;

import dev.portcullis.runtime.audit.AuditAction;
import dev.portcullis.runtime.audit.AuditEvent;
import dev.portcullis.runtime.audit.AuditOutcome;
import dev.portcullis.runtime.audit.AuditResource;
import dev.portcullis.runtime.outbox.AuditOutbox;
import dev.portcullis.runtime.outbox.OutboxFullException;
import dev.portcullis.runtime.transport.RefusalBudget;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The console's refusals, recorded as {@code auth.failed} events (service {@code console}, outcome
 * DENIED, no actor: nothing was authenticated) in an {@link AuditOutbox}: a disk spool whose own
 * thread ships them to the audit service and retries with backoff until it acknowledges them. So an
 * event outlives an audit outage, a restart of the console and, on a volume that outlives the pod,
 * the loss of the pod; a refusal page waits for the spool's disk sync, never for the audit service.
 * What a flood can cost is bounded twice: each source address has a {@link RefusalBudget} of
 * {@code perSecondPerSource} events a second (the next recorded one says in {@code suppressed} how
 * many were left out), and the spool has its {@code max-spool-bytes}. An event the outbox refuses
 * (spool full, spool broken, outbox closed) is dropped and counted: the refusal itself stands, as
 * the outbox's fail-closed rule asks; the count is logged as {@code console.audit_dropped}, at most
 * once a second and once more at {@link #close()}. Thread-safe; {@link #close()} once.
 */
public final class SpooledRefusals implements Refusals, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SpooledRefusals.class);
    /** The service name the audit service forces on the console's events: its identity's last segment. */
    static final String SERVICE = "console";
    /** Source addresses whose budgets are remembered; the least recently refused is forgotten first. */
    private static final int MAX_SOURCES = 10_000;
    /** Refusals of one source recorded a second by default: a person mistyping never reaches it. */
    public static final int DEFAULT_PER_SECOND_PER_SOURCE = 5;
    /** How often drops are logged at most: a flood against a full spool must not flood the log too. */
    private static final Duration DROP_LOG_INTERVAL = Duration.ofSeconds(1);

    private final AuditOutbox outbox;
    private final Clock clock;
    private final int perSecondPerSource;
    // guarded by itself: the budget of each source address recently refused
    private final Map<String, RefusalBudget> budgets = new LinkedHashMap<>(16, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, RefusalBudget> eldest) {
            return size() > MAX_SOURCES;
        }
    };
    // guarded by this: events the outbox refused since open, why the last was, how many were logged, and when
    private long dropped;
    private String droppedCause = "";
    private long droppedLogged;
    private Instant droppedLoggedAt = Instant.MIN;

    /**
     * Takes {@code outbox} over: starts its shipping, and closes it in {@link #close()}.
     *
     * @throws IllegalArgumentException when {@code perSecondPerSource} is below 1
     * @throws IllegalStateException when the outbox is closed
     */
    public SpooledRefusals(AuditOutbox outbox, Clock clock, int perSecondPerSource) {
        if (perSecondPerSource < 1) {
            throw new IllegalArgumentException("perSecondPerSource must be at least 1");
        }
        this.outbox = requireNonNull(outbox, "outbox is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.perSecondPerSource = perSecondPerSource;
        outbox.start();
    }

    /** Returns once the event is on disk (one disk sync shared with concurrent refusals), or was dropped. */
    @Override
    public void record(Refusal refusal) {
        OptionalLong left;
        synchronized (budgets) {
            left = budgets.computeIfAbsent(refusal.host(), host -> new RefusalBudget(perSecondPerSource, clock)).take();
        }
        if (left.isEmpty()) {
            return; // counted in this source's next recorded refusal
        }
        Map<String, String> attributes = new TreeMap<>();
        attributes.put("method", refusal.method());
        attributes.put("authentication", refusal.sessionSubject().isEmpty() ? "none" : "session");
        if (!refusal.sessionSubject().isEmpty()) {
            attributes.put("session_subject", refusal.sessionSubject());
        }
        if (left.getAsLong() > 0) {
            attributes.put("suppressed", Long.toString(left.getAsLong()));
        }
        AuditEvent event = AuditEvent.builder(SERVICE, AuditAction.AUTH_FAILED, clock.instant())
                .resource(new AuditResource("page", refusal.path(), "", ""))
                .outcome(AuditOutcome.DENIED)
                .reason(refusal.reason())
                .sourceAddress(refusal.sourceAddress())
                .attributes(attributes)
                .build();
        try {
            outbox.record(event);
        } catch (OutboxFullException | UncheckedIOException | IllegalStateException notRecorded) {
            dropped(notRecorded);
        }
    }

    /** Events the outbox refused since open (spool full, broken or closed). */
    public synchronized long dropped() {
        return dropped;
    }

    private synchronized void dropped(RuntimeException cause) {
        dropped++;
        droppedCause = cause.getClass().getSimpleName();
        Instant now = clock.instant();
        if (!now.isBefore(droppedLoggedAt.plus(DROP_LOG_INTERVAL))) {
            logDropped();
            droppedLoggedAt = now;
        }
    }

    /** Logs the drops not logged yet. Called holding this object's monitor. */
    private void logDropped() {
        log.atWarn().addKeyValue("count", dropped - droppedLogged).addKeyValue("total", dropped)
                .addKeyValue("cause", droppedCause).log("console.audit_dropped");
        droppedLogged = dropped;
    }

    /**
     * Closes the outbox: what the audit service has not acknowledged stays in the spool for the next
     * console on the directory. Blocks for the outbox's {@code shutdown-flush-timeout} at most.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (dropped > droppedLogged) {
                logDropped();
            }
        }
        outbox.close();
    }
}
