package dev.portcullis.bench.reliability;

import static java.util.Objects.requireNonNull;

import dev.portcullis.runtime.retry.Backoff;
import dev.portcullis.v1.GatewayServiceGrpc;
import dev.portcullis.v1.RunSpec;
import dev.portcullis.v1.RunState;
import dev.portcullis.v1.SubmitRunRequest;
import dev.portcullis.v1.WatchRunRequest;
import dev.portcullis.v1.WatchRunResponse;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One CI caller with its own identity: submits plan runs one after the other, each with a fresh
 * request key, and watches each to its end. Like a CI job that cannot tell whether its run was
 * stored, it retries a submission that failed transiently with the same request key; like the
 * CLI's follower, it resumes a lost watch from the offset after the last event it received. It
 * knows several gateway replicas and calls one until a call to it fails transiently, then the
 * next: a retried submission or a resumed watch goes to another replica than the one that failed.
 * Not thread-safe: one thread per caller.
 */
final class LoadCaller {
    /** Answers after which the same submission may simply be tried again. */
    private static final Set<Status.Code> TRANSIENT = Set.of(Status.Code.UNAVAILABLE, Status.Code.DEADLINE_EXCEEDED,
            Status.Code.RESOURCE_EXHAUSTED);
    private static final Duration CALL_DEADLINE = Duration.ofSeconds(30);
    private static final Backoff RETRIES = Backoff.exponential(Duration.ofMillis(100), Duration.ofSeconds(2));

    /** What became of one submission. {@code runId} empty: never acknowledged. */
    record Outcome(int caller, String requestKey, Optional<String> runId, long submitNanos, int submitAttempts,
            List<WatchRunResponse> events, Optional<RunState> finalState, int watchReconnects, List<String> problems) {
        Outcome {
            requireNonNull(requestKey, "requestKey is null");
            requireNonNull(runId, "runId is null");
            events = List.copyOf(events);
            requireNonNull(finalState, "finalState is null");
            problems = List.copyOf(problems);
        }
    }

    private final int index;
    private final List<ManagedChannel> gateways;
    private final RunSpec spec;
    private final String keyPrefix;
    private int current; // the gateway replica called now; the caller's one thread owns it

    /** @param gateways one channel per gateway replica; the caller starts on {@code index} modulo their number */
    LoadCaller(int index, List<ManagedChannel> gateways, RunSpec spec, String keyPrefix) {
        this.index = index;
        this.gateways = List.copyOf(gateways);
        if (this.gateways.isEmpty()) {
            throw new IllegalArgumentException("a caller needs a gateway");
        }
        this.spec = requireNonNull(spec, "spec is null");
        this.keyPrefix = requireNonNull(keyPrefix, "keyPrefix is null");
        this.current = index % this.gateways.size();
    }

    private ManagedChannel gateway() {
        return gateways.get(current);
    }

    /** After a transient failure: the next call goes to the next replica. */
    private void failOver() {
        current = (current + 1) % gateways.size();
    }

    /**
     * Submits and watches up to {@code runs} runs; submits no new one after {@code submitUntil}
     * (System.nanoTime), and gives up retrying or watching at {@code giveUpAt}.
     *
     * @param finished counts every run this caller finished watching (the suite's progress)
     */
    List<Outcome> run(int runs, long submitUntil, long giveUpAt, AtomicInteger finished) {
        List<Outcome> outcomes = new ArrayList<>();
        for (int i = 0; i < runs && System.nanoTime() < submitUntil; i++) {
            outcomes.add(submitAndWatch(keyPrefix + "-" + index + "-" + i, giveUpAt));
            finished.incrementAndGet();
        }
        return outcomes;
    }

    private Outcome submitAndWatch(String key, long giveUpAt) {
        List<String> problems = new ArrayList<>();
        long started = System.nanoTime();
        int attempts = 0;
        Optional<String> runId = Optional.empty();
        while (runId.isEmpty() && System.nanoTime() < giveUpAt) {
            attempts++;
            try {
                runId = Optional.of(GatewayServiceGrpc.newBlockingStub(gateway())
                        .withDeadlineAfter(CALL_DEADLINE.toMillis(), TimeUnit.MILLISECONDS)
                        .submitRun(SubmitRunRequest.newBuilder().setSpec(spec).setRequestKey(key).build())
                        .getRun().getRunId());
            } catch (StatusRuntimeException e) {
                if (!TRANSIENT.contains(e.getStatus().getCode())) {
                    problems.add("submit refused: " + e.getStatus().getCode() + " " + e.getStatus().getDescription());
                    break;
                }
                failOver();
                pause(RETRIES.delay(attempts));
            }
        }
        long submitNanos = System.nanoTime() - started;
        if (runId.isEmpty()) {
            if (problems.isEmpty()) {
                problems.add("submission never acknowledged (" + attempts + " attempts)");
            }
            return new Outcome(index, key, runId, submitNanos, attempts, List.of(), Optional.empty(), 0, problems);
        }
        List<WatchRunResponse> events = new ArrayList<>();
        int reconnects = watch(runId.get(), events, giveUpAt, problems);
        Optional<RunState> end = finalState(events);
        if (end.isEmpty() && problems.isEmpty()) {
            problems.add("the watch ended before the run did");
        }
        return new Outcome(index, key, runId, submitNanos, attempts, events, end, reconnects, problems);
    }

    /** Watches from offset 0 to the run's end, resuming after the last event received; returns the reconnects. */
    private int watch(String runId, List<WatchRunResponse> events, long giveUpAt, List<String> problems) {
        int reconnects = 0;
        int failures = 0; // since the last event received
        while (System.nanoTime() < giveUpAt) {
            long next = events.size();
            try {
                Iterator<WatchRunResponse> stream = GatewayServiceGrpc.newBlockingStub(gateway())
                        .withDeadlineAfter(Math.max(1, giveUpAt - System.nanoTime()), TimeUnit.NANOSECONDS)
                        .watchRun(WatchRunRequest.newBuilder().setRunId(runId).setFromOffset(next).build());
                while (stream.hasNext()) {
                    WatchRunResponse event = stream.next();
                    if (event.getOffset() != events.size()) {
                        problems.add("watch sent offset " + event.getOffset() + " where " + events.size() + " was due");
                        return reconnects;
                    }
                    events.add(event);
                    failures = 0;
                }
                if (finalState(events).isPresent()) {
                    return reconnects;
                }
            } catch (StatusRuntimeException e) {
                if (e.getStatus().getCode() != Status.Code.UNAVAILABLE) {
                    if (System.nanoTime() >= giveUpAt) {
                        break;
                    }
                    problems.add("watch refused: " + e.getStatus().getCode() + " " + e.getStatus().getDescription());
                    return reconnects;
                }
            }
            reconnects++;
            failOver();
            pause(RETRIES.delay(++failures));
        }
        problems.add("gave up watching at the deadline");
        return reconnects;
    }

    static Optional<RunState> finalState(List<WatchRunResponse> events) {
        for (int i = events.size() - 1; i >= 0; i--) {
            if (events.get(i).hasStateChange()) {
                RunState state = events.get(i).getStateChange().getState();
                return RunStates.isFinal(state) ? Optional.of(state) : Optional.empty();
            }
        }
        return Optional.empty();
    }

    /** Waits before the next attempt (a retry pause, not a synchronisation). */
    private static void pause(Duration backoff) {
        try {
            Thread.sleep(backoff.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while retrying", e);
        }
    }
}
