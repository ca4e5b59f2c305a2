package dev.portcullis.executor.backend.ecs;

import static java.util.Objects.requireNonNull;

import dev.portcullis.runtime.retry.Backoff;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.Container;
import software.amazon.awssdk.services.ecs.model.DescribeTasksResponse;
import software.amazon.awssdk.services.ecs.model.Task;

/**
 * Follows one ECS task to its end: polls {@code DescribeTasks} with backoff, tails the task's log
 * stream, stops the task on cancel or when its deadline passes, and reports to its listeners.
 *
 * <p>Steps run on the runner's scheduler one at a time: each step schedules the next, and a step
 * runs only while it holds the current {@link #ticket} and no other step is running, so the fields
 * marked "step state" need no lock (the lock's hand-off from one step to the next makes them
 * visible to the next step's thread) and listener calls never overlap. {@link #lock} guards the
 * scheduling fields, the finished flag and the listener list against {@link #attach},
 * {@link #requestStop} and {@link #wake} from other threads.
 */
final class TaskFollower {
    private static final Logger log = LoggerFactory.getLogger(TaskFollower.class);
    /** Consecutive permanent failures (or "task missing" answers) of one operation before giving up on it. */
    static final int MAX_HARD_FAILURES = 10;
    /** How long a stopped-on-request task may take to reach STOPPED before following ends anyway. */
    static final Duration STOP_GRACE = Duration.ofMinutes(10);
    /** ECS caps the stop reason at 255 characters. */
    private static final int MAX_REASON = 255;

    private final String runId;
    private final String taskArn;
    private final EcsConfig config;
    private final Backoff polls;
    private final Backoff throttledPolls;
    private final EcsClient ecs;
    private final LogTail logTail;
    private final Clock clock;
    private final ScheduledExecutorService scheduler;
    private final Instant deadline;
    private final Duration timeout;
    private final Runnable onDone;

    private final Object lock = new Object();
    private final List<EcsTaskListener> listeners = new CopyOnWriteArrayList<>(); // added under lock
    private ScheduledFuture<?> next; // guarded by lock
    private boolean begun; // guarded by lock
    private long ticket; // guarded by lock; the one scheduled step allowed to run
    private boolean running; // guarded by lock; a step is running
    private boolean wakeRequested; // guarded by lock; the running step schedules the next at once
    private boolean finished; // guarded by lock
    private EcsTaskStatus finalStatus; // guarded by lock; set with finished
    private boolean finalTimedOut; // guarded by lock; set with finished
    private final AtomicReference<String> stopRequest = new AtomicReference<>();

    // step state
    private EcsTaskStatus status;
    private boolean announced;
    private Instant stopSentAt; // when StopTask was accepted (or abandoned); null before
    private boolean timedOut;
    private int describeFailures; // consecutive permanent failures or MISSING answers
    private int stopFailures; // consecutive permanent failures
    private int logFailures; // consecutive permanent failures
    private int pollsSinceChange; // step state: the backoff's attempt for the next quiet poll

    /**
     * @param initial the task as RunTask or DescribeTasks returned it
     * @param timeout the run's timeout; the deadline counts from the task's creation when ECS
     *     reports it earlier than now (a restarted executor does not grant a task more time)
     * @param onDone called once after the listeners heard {@code onFinished}
     */
    TaskFollower(String runId, Task initial, EcsConfig config, EcsClient ecs, LogTail logTail, Clock clock,
            ScheduledExecutorService scheduler, Duration timeout, EcsTaskListener listener, Runnable onDone) {
        this.runId = requireNonNull(runId, "runId is null");
        this.taskArn = requireNonNull(initial.taskArn(), "taskArn is null");
        this.config = requireNonNull(config, "config is null");
        this.ecs = requireNonNull(ecs, "ecs is null");
        this.logTail = requireNonNull(logTail, "logTail is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.scheduler = requireNonNull(scheduler, "scheduler is null");
        this.timeout = requireNonNull(timeout, "timeout is null");
        this.onDone = requireNonNull(onDone, "onDone is null");
        this.listeners.add(requireNonNull(listener, "listener is null"));
        Instant now = clock.instant();
        Instant fromNow = now.plus(timeout);
        Instant created = initial.createdAt();
        this.deadline = created != null && created.isBefore(now) && created.plus(timeout).isBefore(fromNow)
                ? created.plus(timeout) : fromNow;
        this.status = statusOf(initial);
        this.polls = Backoff.exponential(config.pollInitial(), config.pollMax());
        // jitter: runners throttled together should not come back together; steps never overlap
        this.throttledPolls = polls.withJitter(new SplittableRandom());
        this.pollsSinceChange = 1;
    }

    String taskArn() {
        return taskArn;
    }

    /** Starts following: the first step reports the initial status at once. */
    void begin() {
        synchronized (lock) {
            if (!begun) {
                begun = true;
                next = submit(Duration.ZERO, ++ticket);
            }
        }
    }

    /**
     * Adds a listener (a retried start of the same run). It hears what happens from now on; if
     * the task has already finished, it hears {@code onFinished} at once, on this thread.
     */
    void attach(EcsTaskListener listener) {
        requireNonNull(listener, "listener is null");
        EcsTaskStatus done;
        boolean doneTimedOut;
        synchronized (lock) {
            if (!finished) {
                listeners.add(listener);
                return;
            }
            done = finalStatus;
            doneTimedOut = finalTimedOut;
        }
        deliver(listener, l -> l.onFinished(done, doneTimedOut));
    }

    /** Asks for the task to be stopped with {@code reason}; the first reason wins. Returns at once. */
    void requestStop(String reason) {
        if (stopRequest.compareAndSet(null, truncate(requireNonNull(reason, "reason is null")))) {
            wake();
        }
    }

    /** Runs the next step now instead of after the current backoff. */
    void wake() {
        synchronized (lock) {
            if (finished || !begun) {
                return; // before begin, the first step comes soon enough
            }
            if (running) {
                wakeRequested = true;
                return;
            }
            if (next != null) {
                // the pending step may already be starting: its stale ticket keeps it from running
                next.cancel(false);
            }
            next = submit(Duration.ZERO, ++ticket);
        }
    }

    private void run(long mine) {
        synchronized (lock) {
            if (finished || running || mine != ticket) {
                return;
            }
            running = true;
        }
        step();
    }

    /** One look at the task; always ends in {@link #schedule} or {@link #finish}. */
    private void step() {
        try {
            if (!announced) {
                announced = true;
                if (!status.stopped()) {
                    report(status);
                }
                schedule(config.pollInitial());
                return;
            }
            Outcome outcome = new Outcome();
            if (!status.stopped()) {
                observe(outcome);
            }
            if (!status.stopped()) {
                enforceDeadlineAndStop(outcome);
            }
            boolean logsAtEnd = readLogs(outcome);
            if (status.stopped() && (logsAtEnd || logFailures >= MAX_HARD_FAILURES)) {
                if (!logsAtEnd) {
                    log.atError().addKeyValue("run_id", runId).addKeyValue("task_arn", taskArn)
                            .log("ecs.log_incomplete");
                }
                finish(status, timedOut);
                return;
            }
            if (describeFailures >= MAX_HARD_FAILURES) {
                giveUp("follow_failed");
                return;
            }
            if (stopSentAt != null && !clock.instant().isBefore(stopSentAt.plus(STOP_GRACE))) {
                giveUp("stop_not_confirmed");
                return;
            }
            schedule(nextDelay(outcome));
        } catch (RuntimeException unexpected) {
            if (scheduler.isShutdown()) {
                return; // the runner is closing
            }
            // a bug in this class must not end the follow silently: say so, and look again later
            log.atError().setCause(unexpected).addKeyValue("run_id", runId).addKeyValue("task_arn", taskArn)
                    .log("ecs.follow_step_failed");
            schedule(config.pollMax());
        }
    }

    /** DescribeTasks: a changed status is reported, except STOPPED, which {@code onFinished} carries. */
    private void observe(Outcome outcome) {
        Optional<Task> task;
        try {
            task = describe();
        } catch (SdkException e) {
            if (classify("DescribeTasks", e, outcome)) {
                describeFailures++;
            }
            return;
        }
        if (task.isEmpty()) {
            // right after RunTask, ECS may not know the task yet; later, it has forgotten it
            describeFailures++;
            warn("DescribeTasks", "MISSING", describeFailures);
            return;
        }
        describeFailures = 0;
        EcsTaskStatus seen = statusOf(task.get());
        if (!seen.lastStatus().equals(status.lastStatus())) {
            status = seen;
            outcome.changed = true;
            if (!seen.stopped()) {
                report(seen);
            }
        }
    }

    /** StopTask once, when a stop was asked for or the deadline has passed. */
    private void enforceDeadlineAndStop(Outcome outcome) {
        if (stopSentAt != null) {
            return;
        }
        if (stopRequest.get() == null && !clock.instant().isBefore(deadline)) {
            timedOut = stopRequest.compareAndSet(null, truncate("Portcullis: the run's timeout of " + timeout + " passed"));
        }
        String reason = stopRequest.get();
        if (reason == null) {
            return;
        }
        try {
            ecs.stopTask(r -> r.cluster(config.cluster()).task(taskArn).reason(reason));
        } catch (SdkException e) {
            if (classify("StopTask", e, outcome) && ++stopFailures >= MAX_HARD_FAILURES) {
                // cannot stop it: follow it to its own end, or give up after the grace period
                log.atError().addKeyValue("run_id", runId).addKeyValue("task_arn", taskArn).log("ecs.task_stop_failed");
                stopSentAt = clock.instant();
            }
            return;
        }
        stopSentAt = clock.instant();
        outcome.changed = true;
        log.atInfo().addKeyValue("run_id", runId).addKeyValue("task_arn", taskArn).addKeyValue("timed_out", timedOut)
                .log("ecs.task_stop_requested");
    }

    /** Reads what the log stream has gained; returns whether it was read to its current end. */
    private boolean readLogs(Outcome outcome) {
        if (!readsLogs(status.lastStatus())) {
            return true;
        }
        LogTail.Page page;
        try {
            page = logTail.read();
        } catch (SdkException e) {
            if (classify("GetLogEvents", e, outcome)) {
                logFailures++;
            }
            return false;
        }
        logFailures = 0;
        for (String line : page.lines()) {
            for (EcsTaskListener listener : listeners) {
                deliver(listener, l -> l.onLogLine(line));
            }
        }
        outcome.changed |= !page.lines().isEmpty();
        return page.atEnd();
    }

    private Optional<Task> describe() {
        DescribeTasksResponse response = ecs.describeTasks(r -> r.cluster(config.cluster()).tasks(taskArn));
        return response.tasks().stream().filter(t -> taskArn.equals(t.taskArn())).findFirst();
    }

    /** Logs a failed call and notes throttling in {@code outcome}; returns whether the failure is permanent. */
    private boolean classify(String operation, SdkException e, Outcome outcome) {
        if (scheduler.isShutdown()) {
            return false; // the runner is closing and interrupted the call: nothing failed
        }
        AwsFailure kind = AwsFailure.of(e);
        if (kind == AwsFailure.PERMANENT) {
            warn(operation, AwsFailure.code(e), 0);
            return true;
        }
        outcome.throttled |= kind == AwsFailure.THROTTLED;
        log.atDebug().addKeyValue("run_id", runId).addKeyValue("operation", operation)
                .addKeyValue("error_code", AwsFailure.code(e)).log("ecs.call_retried");
        return false;
    }

    private void warn(String operation, String code, int consecutive) {
        log.atWarn().addKeyValue("run_id", runId).addKeyValue("task_arn", taskArn).addKeyValue("operation", operation)
                .addKeyValue("error_code", code).addKeyValue("consecutive", consecutive).log("ecs.call_failed");
    }

    private void giveUp(String why) {
        log.atError().addKeyValue("run_id", runId).addKeyValue("task_arn", taskArn).addKeyValue("why", why)
                .addKeyValue("last_status", status.lastStatus()).log("ecs.follow_abandoned");
        EcsTaskStatus last = new EcsTaskStatus(taskArn, status.lastStatus(), Optional.empty(),
                "Portcullis stopped following the task: " + why.replace('_', ' '), status.logStream());
        finish(last, timedOut);
    }

    private Duration nextDelay(Outcome outcome) {
        if (outcome.changed && !outcome.throttled) {
            pollsSinceChange = 1;
            return polls.delay(pollsSinceChange);
        }
        pollsSinceChange++;
        return outcome.throttled ? throttledPolls.delay(pollsSinceChange) : polls.delay(pollsSinceChange);
    }

    private void report(EcsTaskStatus seen) {
        for (EcsTaskListener listener : listeners) {
            deliver(listener, l -> l.onStatus(seen));
        }
    }

    private void finish(EcsTaskStatus last, boolean lastTimedOut) {
        List<EcsTaskListener> snapshot;
        synchronized (lock) {
            finished = true;
            running = false;
            finalStatus = last;
            finalTimedOut = lastTimedOut;
            next = null;
            snapshot = List.copyOf(listeners);
        }
        log.atInfo().addKeyValue("run_id", runId).addKeyValue("task_arn", taskArn)
                .addKeyValue("last_status", last.lastStatus())
                .addKeyValue("exit_code", last.exitCode().map(String::valueOf).orElse("none"))
                .addKeyValue("timed_out", lastTimedOut).log("ecs.task_finished");
        for (EcsTaskListener listener : snapshot) {
            deliver(listener, l -> l.onFinished(last, lastTimedOut));
        }
        onDone.run();
    }

    /** Ends the running step, scheduling the next one {@code after} from now; called by steps only. */
    private void schedule(Duration after) {
        Duration wait = after;
        synchronized (lock) {
            running = false;
            if (wakeRequested) {
                wakeRequested = false;
                wait = Duration.ZERO;
                pollsSinceChange = 1; // step state: only the running step gets here
            }
            if (!finished) {
                next = submit(wait, ++ticket);
            }
        }
    }

    // caller holds lock
    private ScheduledFuture<?> submit(Duration after, long mine) {
        try {
            return scheduler.schedule(() -> run(mine), after.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException closing) {
            // the runner is closing: the task keeps running and a new runner attaches to it
            return null;
        }
    }

    private void deliver(EcsTaskListener listener, Consumer<EcsTaskListener> call) {
        try {
            call.accept(listener);
        } catch (RuntimeException e) {
            log.atWarn().setCause(e).addKeyValue("run_id", runId).log("ecs.listener_failed");
        }
    }

    private EcsTaskStatus statusOf(Task task) {
        Optional<Container> container = task.containers().stream()
                .filter(c -> config.containerName().equals(c.name())).findFirst();
        Optional<Integer> exitCode = container.map(Container::exitCode);
        String reason = task.stoppedReason() != null && !task.stoppedReason().isBlank() ? task.stoppedReason()
                : container.map(Container::reason).orElse("");
        String lastStatus = task.lastStatus() == null ? "UNKNOWN" : task.lastStatus();
        // ECS reports an exit code only once the container has stopped
        return new EcsTaskStatus(taskArn, lastStatus, exitCode, reason == null ? "" : reason,
                Optional.of(logTail.stream()));
    }

    /** The container's stream exists only once it has started; before that, reading it is wasted. */
    private static boolean readsLogs(String lastStatus) {
        return switch (lastStatus) {
            case "PROVISIONING", "PENDING", "ACTIVATING" -> false;
            default -> true;
        };
    }

    /** What one step saw, for the next delay. */
    private static final class Outcome {
        boolean changed;
        boolean throttled;
    }

    private static String truncate(String reason) {
        return reason.length() <= MAX_REASON ? reason : reason.substring(0, MAX_REASON);
    }
}
