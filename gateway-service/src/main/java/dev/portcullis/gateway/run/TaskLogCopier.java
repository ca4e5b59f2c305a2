package dev.portcullis.gateway.run;

import static java.util.Objects.requireNonNull;

import dev.portcullis.runtime.audit.AuditAction;
import dev.portcullis.runtime.audit.AuditEvent;
import dev.portcullis.runtime.audit.AuditOutcome;
import dev.portcullis.runtime.error.DomainException;
import dev.portcullis.runtime.request.RunId;
import dev.portcullis.runtime.retry.Backoff;
import dev.portcullis.runtime.telemetry.Telemetry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Copies running tasks' events into their runs' events, resuming from the last copied task
 * offset (nothing lost or doubled across restarts), passes a requested cancellation on to the
 * task, and ends the run with the task. One follower per run, on the driver's bounded executor:
 * at most {@code maxFollowers} at once; a run beyond that stays claimed and is followed once a
 * follower is free. Every write is fenced by the run's lease: a follower whose write is refused, or
 * whose run the lease renewal found lost ({@link #stop}), stops at once, so two replicas never copy
 * one task's events.
 */
final class TaskLogCopier {
    private static final Logger log = LoggerFactory.getLogger(TaskLogCopier.class);
    private static final int BATCH = 500;
    /** Waits between attempts to follow a task whose log stream was cut: 200ms doubling up to 10s. */
    private static final Backoff FOLLOW_BACKOFF = Backoff.exponential(Duration.ofMillis(200), Duration.ofSeconds(10));

    private final RunStore store;
    private final LeaseKeeper leases;
    private final TaskRunner tasks;
    private final RunAudit audit;
    private final RunSignals signals;
    private final Clock clock;
    private final String actor;
    private final Telemetry telemetry;
    private final RunEnding ending;
    private final Executor executor;
    private final int maxFollowers;
    private final BooleanSupplier closed;
    private final Map<RunId, Follower> followers = new ConcurrentHashMap<>();

    TaskLogCopier(RunStore store, LeaseKeeper leases, TaskRunner tasks, RunAudit audit, RunSignals signals, Clock clock,
            String actor, Telemetry telemetry, RunEnding ending, Executor executor, int maxFollowers, BooleanSupplier closed) {
        this.store = requireNonNull(store, "store is null");
        this.leases = requireNonNull(leases, "leases is null");
        this.tasks = requireNonNull(tasks, "tasks is null");
        this.audit = requireNonNull(audit, "audit is null");
        this.signals = requireNonNull(signals, "signals is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.actor = requireNonNull(actor, "actor is null");
        this.telemetry = requireNonNull(telemetry, "telemetry is null");
        this.ending = requireNonNull(ending, "ending is null");
        this.executor = requireNonNull(executor, "executor is null");
        this.maxFollowers = maxFollowers;
        this.closed = requireNonNull(closed, "closed is null");
    }

    boolean isFollowing(RunId id) {
        return followers.containsKey(id);
    }

    /**
     * Whether a follower is free. The driver asks before it claims a run, so that a replica whose
     * followers are all busy leaves runs to replicas that can follow them.
     */
    boolean hasCapacity() {
        return followers.size() < maxFollowers;
    }

    /** Starts following the run's task, unless it is followed already or every follower is busy. */
    void follow(Run run) {
        if (!hasCapacity()) {
            return; // only the driver's thread adds followers, and it asked hasCapacity() before claiming
        }
        Follower follower = new Follower(run.id());
        if (followers.putIfAbsent(run.id(), follower) == null) {
            executor.execute(follower);
        }
    }

    /**
     * Stops following the run at once, if it is followed: this replica lost its lease, so another
     * copies the task's events now. Nothing more is written or sent to the task from here.
     */
    void stop(RunId id) {
        Follower follower = followers.get(id);
        if (follower != null) {
            follower.leaseLost();
        }
    }

    /** What a follower's queue carries: the task's events, then the end of its stream; or word that the lease is lost. */
    private sealed interface Feed permits TaskEventArrived, StreamEnded, LeaseLost {}

    private record TaskEventArrived(TaskRunner.TaskEvent event) implements Feed {}

    /** The task's event stream ended: normally (the task ended or the stream was cut) or with {@code failure}. */
    private record StreamEnded(Optional<RuntimeException> failure) implements Feed {}

    /** This replica no longer holds the run's lease. */
    private record LeaseLost() implements Feed {}

    /** How copying one subscription's events ended. */
    private sealed interface CopyEnd permits RunLeftRunning, StreamCut, DriverClosed, Fenced {}

    /** The run is no longer RUNNING (it ended, with its task or otherwise): following is over. */
    private record RunLeftRunning() implements CopyEnd {}

    /** The stream ended while the run still runs: follow again from the copied offset, unless the task is gone. */
    private record StreamCut(Optional<RuntimeException> failure) implements CopyEnd {}

    /** The driver closed. */
    private record DriverClosed() implements CopyEnd {}

    /** Another replica drives the run now. */
    private record Fenced() implements CopyEnd {}

    /** Copies one running task's events into its run until the task ends. */
    private final class Follower implements Runnable {
        private final RunId id;
        private final BlockingQueue<Feed> queue = new LinkedBlockingQueue<>();
        /** Touched by this follower's thread only. */
        private boolean cancelSent;
        /** Set by the lease renewal's thread; read by this follower's. */
        private volatile boolean lost;

        Follower(RunId id) {
            this.id = id;
        }

        void leaseLost() {
            lost = true;
            queue.add(new LeaseLost());
        }

        @Override
        public void run() {
            Optional<Run> run;
            try {
                run = store.find(id);
            } catch (RuntimeException e) {
                run = Optional.empty();
            }
            try (MDC.MDCCloseable ignored = MDC.putCloseable("run_id", id.value())) {
                telemetry.inTrace(run.map(Run::traceId).orElse(""), run.map(Run::traceSpanId).orElse(""), "run.follow",
                        Map.of("portcullis.run_id", id.value()), this::followTask);
            }
        }

        private void followTask() {
            int cuts = 0;
            try {
                while (!closed.getAsBoolean() && !lost) {
                    Optional<Run> current = store.find(id);
                    if (current.isEmpty() || current.get().state() != RunState.RUNNING) {
                        return;
                    }
                    Run run = current.get();
                    queue.clear();
                    TaskRunner.Subscription subscription = tasks.follow(id, run.taskOffset(), new TaskRunner.Sink() {
                        @Override
                        public void event(TaskRunner.TaskEvent event) {
                            queue.add(new TaskEventArrived(event));
                        }

                        @Override
                        public void ended(Optional<RuntimeException> failure) {
                            queue.add(new StreamEnded(failure));
                        }
                    });
                    CopyEnd end;
                    try {
                        end = copy(run);
                    } finally {
                        subscription.cancel();
                    }
                    if (!(end instanceof StreamCut cut)) {
                        return; // the run left RUNNING, or the driver closed
                    }
                    Optional<RuntimeException> failure = cut.failure();
                    if (failure.isPresent() && failure.get() instanceof DomainException e
                            && e.kind() == DomainException.Kind.NOT_FOUND) {
                        ending.end(run, RunState.FAILED, "the executor no longer knows the task (it lost its state)",
                                AuditAction.RUN_FINISHED, AuditOutcome.FAILURE);
                        return;
                    }
                    failure.ifPresent(e -> log.atWarn().addKeyValue("run_id", id.value()).addKeyValue("error", e.getMessage())
                            .log("run.follow_retry"));
                    cuts++;
                    Thread.sleep(FOLLOW_BACKOFF.delay(cuts).toMillis());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RunLeaseLostException e) {
                lost = true;
            } catch (RuntimeException e) {
                log.atError().addKeyValue("run_id", id.value()).setCause(e).log("run.follow_failed");
            } finally {
                if (lost) {
                    // another replica copies the task's events now: nothing more from here
                    log.atInfo().addKeyValue("run_id", id.value()).log("run.lease_lost");
                }
                followers.remove(id, this);
                if (!closed.getAsBoolean()) {
                    signals.changed(); // another round picks the run up again if it still runs
                }
            }
        }

        /** Copies events in batches until the run leaves RUNNING, the stream ends, or the driver closes. */
        private CopyEnd copy(Run run) throws InterruptedException {
            long nextTaskOffset = run.taskOffset();
            while (!closed.getAsBoolean()) {
                Feed first = queue.poll(1, TimeUnit.SECONDS);
                if (lost) {
                    return new Fenced();
                }
                if (first == null) {
                    maybeCancel();
                    continue;
                }
                List<Feed> batch = new ArrayList<>();
                batch.add(first);
                queue.drainTo(batch, BATCH - 1);
                List<RunChange.Line> lines = new ArrayList<>();
                Optional<TaskRunner.TaskStatus> finished = Optional.empty();
                Optional<StreamEnded> streamEnd = Optional.empty();
                for (Feed item : batch) {
                    if (item instanceof StreamEnded ended) {
                        streamEnd = Optional.of(ended);
                    } else if (item instanceof TaskEventArrived arrived && arrived.event().offset() >= nextTaskOffset) {
                        nextTaskOffset = arrived.event().offset() + 1;
                        if (arrived.event() instanceof TaskRunner.Line line) {
                            lines.add(new RunChange.Line(clock.instant(), line.stream(), line.text(), line.redacted()));
                        } else if (arrived.event() instanceof TaskRunner.StateChanged changed
                                && changed.status().state().isFinal()) {
                            finished = Optional.of(changed.status());
                        }
                    }
                }
                Run after = leases.update(id, changeFor(lines, nextTaskOffset, finished));
                if (after.state() == RunState.RUNNING) {
                    signals.logged(); // only its log grew: watchers read it, the driver has nothing to do
                } else {
                    signals.changed();
                }
                if (after.state().isFinal()) {
                    Telemetry.annotate(Map.of("portcullis.run_state", after.state().name(),
                            "portcullis.exit_code", after.exitCode().map(String::valueOf).orElse("")));
                    return new RunLeftRunning();
                }
                if (after.state() != RunState.RUNNING) {
                    return new RunLeftRunning();
                }
                if (after.cancelRequested()) {
                    maybeCancel();
                }
                if (streamEnd.isPresent()) {
                    return new StreamCut(streamEnd.get().failure());
                }
            }
            return new DriverClosed();
        }

        /** The lines copied up to {@code copiedTo}, and the end of the run when its task ended. */
        private Function<Run, RunChange> changeFor(List<RunChange.Line> lines, long copiedTo,
                Optional<TaskRunner.TaskStatus> ending) {
            return current -> {
                if (current.state() != RunState.RUNNING) {
                    return RunChange.keepState();
                }
                if (ending.isEmpty()) {
                    return RunChange.keepState().lines(lines, copiedTo);
                }
                TaskRunner.TaskStatus status = ending.get();
                RunChange change = RunChange.to(finalState(status), endReason(current, status)).lines(lines, copiedTo)
                        .audit(ended -> List.of(endEvent(ended)));
                status.exitCode().forEach(change::exitCode);
                status.artifact().forEach(change::artifact);
                if (status.state() == TaskRunner.TaskState.SUCCEEDED) {
                    status.planSummary().forEach(change::planSummary);
                }
                return change;
            };
        }

        private AuditEvent endEvent(Run ended) {
            Map<String, String> attributes = new LinkedHashMap<>();
            attributes.put("exit_code", ended.exitCode().map(String::valueOf).orElse(""));
            attributes.put("artifact_sha256", ended.artifact().map(a -> a.sha256().value()).orElse(""));
            // what the plan would do, as counts: never a name or a value
            ended.planSummary().ifPresent(summary -> attributes.putAll(summary.auditAttributes()));
            return audit.event(AuditAction.RUN_FINISHED, ended, actor, ended.state() == RunState.SUCCEEDED
                    ? AuditOutcome.SUCCESS : AuditOutcome.FAILURE, ended.state().name(), "", attributes);
        }

        private void maybeCancel() {
            if (cancelSent || lost) {
                return;
            }
            Optional<Run> run = store.find(id);
            if (run.isPresent() && run.get().cancelRequested()) {
                try {
                    tasks.cancel(id, run.get().stateReason().isEmpty() ? "cancelled" : run.get().stateReason());
                    cancelSent = true;
                } catch (RuntimeException e) {
                    log.atWarn().addKeyValue("run_id", id.value()).addKeyValue("error", e.getMessage()).log("run.cancel_retry");
                }
            }
        }
    }

    /** The executor's stop reason, led by the step that failed when one did ("step 2 of 3 failed"). */
    static String endReason(Run run, TaskRunner.TaskStatus status) {
        if (status.failedStep().isEmpty()) {
            return status.stopReason();
        }
        String step = "step " + status.failedStep().get(0) + " of " + Math.max(1, run.decision().steps().size()) + " failed"
                + status.exitCode().stream().map(code -> " (exit code " + code + ")").findFirst().orElse("");
        return status.stopReason().isEmpty() ? step : step + ": " + status.stopReason();
    }

    private static RunState finalState(TaskRunner.TaskStatus status) {
        return switch (status.state()) {
            case SUCCEEDED -> RunState.SUCCEEDED;
            case CANCELLED -> RunState.CANCELLED;
            case TIMED_OUT -> RunState.TIMED_OUT;
            default -> RunState.FAILED;
        };
    }
}
