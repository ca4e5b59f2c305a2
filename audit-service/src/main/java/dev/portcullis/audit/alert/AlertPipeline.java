package dev.portcullis.audit.alert;

import static java.util.Objects.requireNonNull;

import dev.portcullis.audit.chain.StoredEvent;
import dev.portcullis.audit.ingest.AuditIngest;
import dev.portcullis.runtime.telemetry.Counter;
import dev.portcullis.runtime.telemetry.Telemetry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Runs every newly stored event through the anomaly rules; each alert raised is stored,
 * handed to the dispatcher for delivery, and announced to watchers. Thread-safe.
 */
public final class AlertPipeline implements AuditIngest.StoredEventListener {
    private final List<AnomalyRules> rules;
    private final AlertStore store;
    private final AlertDelivery dispatcher;
    private final Counter alerts;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition raised = lock.newCondition();
    // guarded by lock: the newest alert sequence announced
    private long newest;

    public AlertPipeline(AnomalyDetector detector, AlertStore store, AlertDelivery dispatcher) {
        this(List.of(requireNonNull(detector, "detector is null")), store, dispatcher);
    }

    /** Runs every event through each of {@code rules}, in order. */
    public AlertPipeline(List<AnomalyRules> rules, AlertStore store, AlertDelivery dispatcher) {
        this(rules, store, dispatcher, Telemetry.disabled("audit"));
    }

    /** As above, counting raised alerts ({@code portcullis.audit.alerts}) by rule and severity. */
    public AlertPipeline(List<AnomalyRules> rules, AlertStore store, AlertDelivery dispatcher, Telemetry telemetry) {
        this.alerts = requireNonNull(telemetry, "telemetry is null").counter("portcullis.audit.alerts", "{alert}", "alerts raised, by rule and severity");
        this.rules = List.copyOf(rules);
        this.store = requireNonNull(store, "store is null");
        this.dispatcher = requireNonNull(dispatcher, "dispatcher is null");
        List<StoredAlert> latest = store.list(java.util.Optional.empty(), java.util.Optional.empty(), Long.MAX_VALUE, 1);
        this.newest = latest.isEmpty() ? 0 : latest.get(0).sequence();
    }

    /**
     * Runs {@code events} through the rules in order and stores every alert they raise in one
     * write (a batch of new callers is one transaction, not one per alert), then delivers and
     * announces them.
     */
    @Override
    public void onStored(List<StoredEvent> events) {
        List<Alert> raisedByBatch = new ArrayList<>();
        for (StoredEvent event : events) {
            for (AnomalyRules set : rules) {
                raisedByBatch.addAll(set.onEvent(event.event()));
            }
        }
        if (!raisedByBatch.isEmpty()) {
            announce(store.appendAll(raisedByBatch));
        }
    }

    /**
     * Stores, delivers and announces {@code alert}, raised outside the event rules (the checkpoint
     * witnesses). Blocks on the alert store.
     *
     * @throws dev.portcullis.runtime.error.DomainException UNAVAILABLE when the alert store is down
     */
    public StoredAlert raise(Alert alert) {
        StoredAlert stored = store.append(alert);
        announce(List.of(stored));
        return stored;
    }

    private void announce(List<StoredAlert> stored) {
        for (StoredAlert alert : stored) {
            alerts.add(Map.of("rule", alert.alert().rule(), "severity", alert.alert().severity().name()));
            dispatcher.dispatch(alert);
        }
        lock.lock();
        try {
            newest = Math.max(newest, stored.get(stored.size() - 1).sequence());
            raised.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** The newest alert sequence raised so far (0 when none). */
    public long newest() {
        lock.lock();
        try {
            return newest;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until an alert newer than {@code sequence} is raised or {@code timeout} passes.
     *
     * @return true when there is a newer alert
     */
    public boolean awaitNewerThan(long sequence, Duration timeout) throws InterruptedException {
        long nanos = timeout.toNanos();
        lock.lock();
        try {
            while (newest <= sequence) {
                if (nanos <= 0) {
                    return false;
                }
                nanos = raised.awaitNanos(nanos);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

}
