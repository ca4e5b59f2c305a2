package dev.portcullis.executor.backend.ecs;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/** Records what a runner reports; tests wait on it against a deadline. Thread-safe: {@code this} guards it. */
final class RecordingListener implements EcsTaskListener {
    static final Duration WAIT = Duration.ofSeconds(20);

    private final List<String> statuses = new ArrayList<>();
    private final List<String> lines = new ArrayList<>();
    private EcsTaskStatus finished;
    private boolean timedOut;
    private int finishedCalls;
    private boolean callAfterFinish;

    @Override
    public synchronized void onStatus(EcsTaskStatus status) {
        callAfterFinish |= finishedCalls > 0;
        statuses.add(status.lastStatus());
        notifyAll();
    }

    @Override
    public synchronized void onLogLine(String line) {
        callAfterFinish |= finishedCalls > 0;
        lines.add(line);
        notifyAll();
    }

    @Override
    public synchronized void onFinished(EcsTaskStatus status, boolean timedOut) {
        finishedCalls++;
        this.finished = status;
        this.timedOut = timedOut;
        notifyAll();
    }

    synchronized List<String> statuses() {
        return List.copyOf(statuses);
    }

    synchronized List<String> lines() {
        return List.copyOf(lines);
    }

    synchronized boolean timedOut() {
        return timedOut;
    }

    /** The final status, once; fails the test if it does not come within {@link #WAIT}. */
    synchronized EcsTaskStatus awaitFinished() {
        await(() -> finished != null, "onFinished");
        assertTrue(finishedCalls == 1 && !callAfterFinish, "onFinished exactly once, and nothing after it");
        return finished;
    }

    synchronized void awaitStatus(String lastStatus) {
        await(() -> statuses.contains(lastStatus), "status " + lastStatus);
    }

    synchronized void awaitLines(int count) {
        await(() -> lines.size() >= count, count + " log lines");
    }

    // caller holds this
    private void await(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                fail("no " + what + " within " + WAIT + "; statuses " + statuses + ", " + lines.size() + " lines");
            }
            try {
                wait(Math.max(1, left / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted waiting for " + what);
            }
        }
    }
}
