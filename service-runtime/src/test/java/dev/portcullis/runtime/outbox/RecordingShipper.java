package dev.portcullis.runtime.outbox;

import static org.junit.jupiter.api.Assertions.fail;

import dev.portcullis.runtime.audit.AuditEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A hand-written {@link AuditShipper} (GrpcAuditShipper is tested against a real audit
 * service): keeps what it was sent, fails on request, and lets a test wait for deliveries.
 */
public final class RecordingShipper implements AuditShipper {
    private final Object monitor = new Object();
    // guarded by monitor
    private final List<AuditEvent> shipped = new ArrayList<>();
    private final List<Integer> batchSizes = new ArrayList<>();
    private int failuresLeft;
    private boolean failing;
    private int failedCalls;

    public static RecordingShipper working() {
        return new RecordingShipper();
    }

    public static RecordingShipper alwaysFailing() {
        RecordingShipper shipper = new RecordingShipper();
        shipper.failing(true);
        return shipper;
    }

    public static RecordingShipper failingTimes(int failures) {
        RecordingShipper shipper = new RecordingShipper();
        synchronized (shipper.monitor) {
            shipper.failuresLeft = failures;
        }
        return shipper;
    }

    public void failing(boolean failing) {
        synchronized (monitor) {
            this.failing = failing;
        }
    }

    @Override
    public void ship(List<AuditEvent> batch) {
        synchronized (monitor) {
            if (failing || failuresLeft > 0) {
                failuresLeft = Math.max(0, failuresLeft - 1);
                failedCalls++;
                throw new IllegalStateException("audit service unavailable (test)");
            }
            shipped.addAll(batch);
            batchSizes.add(batch.size());
            monitor.notifyAll();
        }
    }

    public List<AuditEvent> shipped() {
        synchronized (monitor) {
            return List.copyOf(shipped);
        }
    }

    public List<Integer> batchSizes() {
        synchronized (monitor) {
            return List.copyOf(batchSizes);
        }
    }

    public int failedCalls() {
        synchronized (monitor) {
            return failedCalls;
        }
    }

    /** Waits until at least {@code count} events were shipped; fails the test after {@code timeout}. */
    public List<AuditEvent> awaitShipped(int count, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (monitor) {
            while (shipped.size() < count) {
                long remainingMillis = (deadline - System.nanoTime()) / 1_000_000;
                if (remainingMillis <= 0) {
                    fail("shipped " + shipped.size() + " of " + count + " events within " + timeout);
                }
                monitor.wait(remainingMillis);
            }
            return List.copyOf(shipped);
        }
    }
}
