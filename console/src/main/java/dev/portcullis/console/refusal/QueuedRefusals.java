package dev.portcullis.console.refusal;

import static java.util.Objects.requireNonNull;

import dev.portcullis.runtime.audit.AuditAction;
import dev.portcullis.runtime.audit.AuditEvent;
import dev.portcullis.runtime.audit.AuditOutcome;
import dev.portcullis.runtime.audit.AuditResource;
import dev.portcullis.runtime.retry.Backoff;
import dev.portcullis.runtime.transport.RefusalBudget;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The console's refusals, recorded as {@code auth.failed} events (service {@code console}, outcome
 * DENIED, no actor: nothing was authenticated) and sent to the audit service from memory by a thread of their own, so a refusal page
 * never waits on the audit service. The console is stateless (no database, no disk): an event waits
 * in memory until the audit service acknowledges it, retried with backoff for as long as it takes,
 * and is lost if the console stops first. What a flood can cost is bounded twice: each source
 * address has a {@link RefusalBudget} of {@code perSecondPerSource} events a second (the next
 * recorded one says in {@code suppressed} how many were left out), and the queue holds at most
 * {@code capacity} events; one more is dropped, counted, and logged as {@code console.audit_dropped}
 * with the count. Thread-safe; {@link #close()} once.
 */
public final class QueuedRefusals implements Refusals, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(QueuedRefusals.class);
    /** The service name the audit service forces on the console's events: its identity's last segment. */
    static final String SERVICE = "console";
    /** Source addresses whose budgets are remembered; the least recently refused is forgotten first. */
    private static final int MAX_SOURCES = 10_000;
    /** Refusals of one source recorded a second by default: a person mistyping never reaches it. */
    public static final int DEFAULT_PER_SECOND_PER_SOURCE = 5;
    /** Events held for delivery by default: about 5 MB at worst. */
    public static final int DEFAULT_CAPACITY = 10_000;

    private final RefusalSink sink;
    private final Clock clock;
    private final Backoff backoff;
    private final int perSecondPerSource;
    private final BlockingQueue<AuditEvent> queue;
    private final AtomicLong dropped = new AtomicLong();
    // guarded by itself: the budget of each source address recently refused
    private final Map<String, RefusalBudget> budgets = new LinkedHashMap<>(16, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, RefusalBudget> eldest) {
            return size() > MAX_SOURCES;
        }
    };
    private final Thread sender;

    /**
     * Starts the sending thread.
     *
     * @param backoff the waits between failed deliveries of the oldest batch
     * @throws IllegalArgumentException when {@code capacity} or {@code perSecondPerSource} is below 1
     */
    public QueuedRefusals(RefusalSink sink, Clock clock, Backoff backoff, int capacity, int perSecondPerSource) {
        if (capacity < 1 || perSecondPerSource < 1) {
            throw new IllegalArgumentException("capacity and perSecondPerSource must be at least 1");
        }
        this.sink = requireNonNull(sink, "sink is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.backoff = requireNonNull(backoff, "backoff is null");
        this.perSecondPerSource = perSecondPerSource;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.sender = new Thread(this::send, "console-refusal-audit");
        sender.setDaemon(true);
        sender.start();
    }

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
        if (!queue.offer(event)) {
            dropped.incrementAndGet();
        }
    }

    /** The sending thread: the oldest batch, again and again until acknowledged, then the next. */
    private void send() {
        List<AuditEvent> batch = new ArrayList<>();
        int failures = 0;
        try {
            while (!Thread.currentThread().isInterrupted()) {
                reportDropped();
                if (batch.isEmpty()) {
                    AuditEvent first = queue.poll(1, TimeUnit.SECONDS);
                    if (first == null) {
                        continue;
                    }
                    batch.add(first);
                    queue.drainTo(batch, RefusalSink.MAX_BATCH - 1);
                }
                try {
                    sink.append(List.copyOf(batch));
                    batch.clear();
                    failures = 0;
                } catch (RuntimeException e) {
                    failures++;
                    Duration wait = backoff.delay(failures);
                    log.atWarn().addKeyValue("events", batch.size()).addKeyValue("failures", failures)
                            .addKeyValue("error", e.getClass().getSimpleName()).addKeyValue("retry_in_ms", wait.toMillis())
                            .log("console.audit_delivery_failed");
                    TimeUnit.NANOSECONDS.sleep(wait.toNanos()); // interrupted by close()
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        int undelivered = batch.size() + queue.size();
        if (undelivered > 0) {
            log.atWarn().addKeyValue("events", undelivered).log("console.audit_undelivered");
        }
    }

    private void reportDropped() {
        long count = dropped.getAndSet(0);
        if (count > 0) {
            log.atWarn().addKeyValue("count", count).log("console.audit_dropped");
        }
    }

    /** Stops sending; events not yet acknowledged are lost, and their number logged. Blocks up to five seconds. */
    @Override
    public void close() {
        sender.interrupt();
        try {
            sender.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
