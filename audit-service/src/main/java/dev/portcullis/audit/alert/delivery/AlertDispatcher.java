package dev.portcullis.audit.alert.delivery;

import static java.util.Objects.requireNonNull;
import static java.util.concurrent.TimeUnit.MILLISECONDS;

import dev.portcullis.audit.alert.AlertDelivery;
import dev.portcullis.audit.alert.AlertStore;
import dev.portcullis.audit.alert.StoredAlert;
import dev.portcullis.runtime.retry.Backoff;
import dev.portcullis.runtime.telemetry.Counter;
import dev.portcullis.runtime.telemetry.Telemetry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers each stored alert to every sink on background threads. A failed delivery is retried
 * after a backoff that starts at {@code initial-backoff} and doubles up to {@code max-backoff};
 * after {@code max-attempts} tries a dead letter is recorded in the store and logged at ERROR, so
 * an alert nobody saw is never silent. Sinks are independent: one failing sink neither delays nor
 * repeats delivery to another.
 *
 * <p>{@link #dispatch} never blocks on a sink. {@link #close} cancels waiting retries, lets
 * attempts under way finish (up to the delivery timeout), and records a dead letter for every
 * delivery it cut short, so the alert can be followed up from the store. Thread-safe.
 */
public final class AlertDispatcher implements AlertDelivery, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AlertDispatcher.class);
    private static final int MAX_THREADS = 8;
    private static final int MAX_ERROR = 1024;
    private static final String CLOSED = "dispatcher closed before delivery";

    private final List<AlertSink> sinks;
    private final AlertStore store;
    private final AlertDeliveryConfig config;
    private final Backoff retries;
    private final Clock clock;
    private final ScheduledThreadPoolExecutor executor;
    private final Counter deliveries;
    // deliveries not yet settled; whoever removes one settles it (delivered or dead-lettered), exactly once
    private final Set<Delivery> pending = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean closed = new AtomicBoolean();

    public AlertDispatcher(List<AlertSink> sinks, AlertStore store, AlertDeliveryConfig config, Clock clock) {
        this(sinks, store, config, clock, Telemetry.disabled("audit"));
    }

    /**
     * As above, counting delivery attempts ({@code portcullis.audit.alert.deliveries}) by sink
     * and result: delivered, failed (retried) or dead_lettered.
     */
    public AlertDispatcher(List<AlertSink> sinks, AlertStore store, AlertDeliveryConfig config, Clock clock,
            Telemetry telemetry) {
        this.deliveries = requireNonNull(telemetry, "telemetry is null").counter("portcullis.audit.alert.deliveries", "{attempt}",
                "alert deliveries to a sink: delivered, failed and retried, or dead-lettered");
        this.sinks = List.copyOf(sinks);
        this.store = requireNonNull(store, "store is null");
        this.config = requireNonNull(config, "config is null");
        this.retries = retries(config);
        this.clock = requireNonNull(clock, "clock is null");
        AtomicInteger threadNumber = new AtomicInteger();
        this.executor = new ScheduledThreadPoolExecutor(Math.max(1, Math.min(this.sinks.size(), MAX_THREADS)), task -> {
            Thread thread = new Thread(task, "alert-dispatch-" + threadNumber.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        // on close, retries that are still waiting are cancelled (and dead-lettered), not run
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        executor.setRemoveOnCancelPolicy(true);
    }

    /**
     * Queues {@code alert} for delivery to every sink and returns at once. After {@link #close},
     * records a dead letter per sink instead (a short write to the store on the caller's thread).
     */
    @Override
    public void dispatch(StoredAlert alert) {
        requireNonNull(alert, "alert is null");
        for (AlertSink sink : sinks) {
            Delivery delivery = new Delivery(alert, sink);
            pending.add(delivery);
            schedule(delivery, Duration.ZERO);
        }
    }

    /** The retries of one delivery: initial, doubled per failure, capped; at most max-attempts tries. */
    static Backoff retries(AlertDeliveryConfig config) {
        return Backoff.exponential(config.initialBackoff(), config.maxBackoff()).withMaxAttempts(config.maxAttempts());
    }

    private void schedule(Delivery delivery, Duration delay) {
        try {
            executor.schedule(() -> attempt(delivery), delay.toMillis(), MILLISECONDS);
        } catch (RejectedExecutionException e) {
            giveUp(delivery, CLOSED);
        }
    }

    // runs on a dispatcher thread; one delivery is never attempted by two threads at once
    private void attempt(Delivery delivery) {
        int attempt = delivery.attempts.incrementAndGet();
        try {
            delivery.sink.deliver(delivery.alert);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            giveUp(delivery, CLOSED);
            return;
        } catch (Exception e) {
            String error = safeMessage(e);
            delivery.lastError = error;
            if (!retries.retriesAfter(attempt)) {
                giveUp(delivery, error);
                return;
            }
            deliveries.add(Map.of("sink", delivery.sink.name(), "result", "failed"));
            Duration wait = retries.delay(attempt);
            log.atWarn().setMessage("alert_delivery_failed")
                    .addKeyValue("sink", delivery.sink.name())
                    .addKeyValue("alert_sequence", delivery.alert.sequence())
                    .addKeyValue("attempt", attempt)
                    .addKeyValue("retry_in_ms", wait.toMillis())
                    .addKeyValue("error", error)
                    .log();
            schedule(delivery, wait);
            return;
        }
        if (pending.remove(delivery)) {
            deliveries.add(Map.of("sink", delivery.sink.name(), "result", "delivered"));
            log.atDebug().setMessage("alert_delivered")
                    .addKeyValue("sink", delivery.sink.name())
                    .addKeyValue("alert_sequence", delivery.alert.sequence())
                    .addKeyValue("attempts", attempt)
                    .addKeyValue("lag_ms", lagMillis(delivery))
                    .log();
        }
    }

    private void giveUp(Delivery delivery, String reason) {
        if (!pending.remove(delivery)) {
            return; // already settled
        }
        String lastError = delivery.lastError == null || reason.equals(delivery.lastError)
                ? reason : reason + "; last error: " + delivery.lastError;
        int attempts = delivery.attempts.get();
        deliveries.add(Map.of("sink", delivery.sink.name(), "result", "dead_lettered"));
        try {
            store.recordDeadLetter(delivery.alert, delivery.sink.name(), attempts, cut(lastError));
        } catch (RuntimeException e) {
            log.atError().setMessage("alert_dead_letter_not_recorded")
                    .addKeyValue("sink", delivery.sink.name())
                    .addKeyValue("alert_sequence", delivery.alert.sequence())
                    .setCause(e)
                    .log();
            return;
        }
        log.atError().setMessage("alert_dead_lettered")
                .addKeyValue("sink", delivery.sink.name())
                .addKeyValue("alert_sequence", delivery.alert.sequence())
                .addKeyValue("rule", delivery.alert.alert().rule())
                .addKeyValue("attempts", attempts)
                .addKeyValue("lag_ms", lagMillis(delivery))
                .addKeyValue("error", lastError)
                .log();
    }

    private long lagMillis(Delivery delivery) {
        return clock.millis() - delivery.alert.alert().raisedAt().toEpochMilli();
    }

    /**
     * Stops delivering: waiting retries are cancelled, attempts under way get up to the delivery
     * timeout to finish, and every delivery not settled by then is recorded as a dead letter.
     * Blocks for at most about the delivery timeout plus one second. Idempotent.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        executor.shutdown();
        try {
            if (!executor.awaitTermination(config.timeout().toMillis() + 1000, MILLISECONDS)) {
                executor.shutdownNow(); // interrupts the attempts still waiting on a receiver
                executor.awaitTermination(1000, MILLISECONDS);
            }
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
        for (Delivery delivery : List.copyOf(pending)) {
            giveUp(delivery, CLOSED);
        }
    }

    private static String safeMessage(Exception e) {
        // sinks promise safe messages (see AlertSink#deliver); a message-less failure is named by its type
        String message = e.getMessage();
        return cut(message == null || message.isBlank() ? e.getClass().getSimpleName() : message);
    }

    private static String cut(String text) {
        return text.length() > MAX_ERROR ? text.substring(0, MAX_ERROR) : text;
    }

    /** One alert on its way to one sink. Attempts are counted by the thread making them. */
    private static final class Delivery {
        private final StoredAlert alert;
        private final AlertSink sink;
        private final AtomicInteger attempts = new AtomicInteger();
        // written by the attempting thread, read when giving up (possibly on the closing thread)
        private volatile String lastError;

        Delivery(StoredAlert alert, AlertSink sink) {
            this.alert = alert;
            this.sink = sink;
        }
    }
}
