package dev.portcullis.executor.backend.ecs;

import static java.util.Objects.requireNonNull;

import dev.portcullis.runtime.health.Readiness;
import dev.portcullis.runtime.retry.Backoff;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.AssignPublicIp;
import software.amazon.awssdk.services.ecs.model.DesiredStatus;
import software.amazon.awssdk.services.ecs.model.Failure;
import software.amazon.awssdk.services.ecs.model.KeyValuePair;
import software.amazon.awssdk.services.ecs.model.LaunchType;
import software.amazon.awssdk.services.ecs.model.ListTasksRequest;
import software.amazon.awssdk.services.ecs.model.ListTasksResponse;
import software.amazon.awssdk.services.ecs.model.RunTaskRequest;
import software.amazon.awssdk.services.ecs.model.RunTaskResponse;
import software.amazon.awssdk.services.ecs.model.Tag;
import software.amazon.awssdk.services.ecs.model.Task;
import software.amazon.awssdk.services.ecs.model.TaskField;

/**
 * Runs one task at a time per run id on ECS Fargate and follows it to its end. Thread-safe.
 *
 * <p>A run id never launches two tasks: before launching, the runner looks for a task already
 * started for the run (running tasks by {@code startedBy}, recently stopped ones by task
 * definition family, both matched on the {@code run-id} tag) and attaches to it; and the launch
 * itself carries a client token derived from the run id, so a {@code RunTask} retried after a
 * lost answer returns the task the first attempt launched.
 *
 * <p>Every AWS call is idempotent and retried by the runner itself on throttling, 5xx and network
 * failures, with exponential backoff between {@link EcsConfig#pollInitial()} and
 * {@link EcsConfig#pollMax()}. The runner never logs the launch's command or environment: the
 * environment carries secrets.
 *
 * <p>The runner owns neither SDK client: whoever built them closes them after {@link #close()}.
 */
public final class EcsTaskRunner implements AutoCloseable {
    /** The {@code startedBy} of every task the runner launches. */
    public static final String STARTED_BY = "portcullis";
    /** The tag that carries the run id on every task the runner launches. */
    public static final String RUN_ID_TAG = "run-id";
    /** Attempts of one call made on the caller's thread (lookup, launch, stop) before it fails. */
    static final int MAX_ATTEMPTS = 6;
    private static final Logger log = LoggerFactory.getLogger(EcsTaskRunner.class);
    private static final int DESCRIBE_BATCH = 100;
    private static final int FOLLOW_THREADS = 2;
    /** Longest time the readiness call may take, so a hung one frees its thread. */
    static final Duration READINESS_CALL_TIMEOUT = Duration.ofSeconds(5);

    private final EcsConfig config;
    private final EcsClient ecs;
    private final CloudWatchLogsClient logs;
    private final Clock clock;
    private final ScheduledExecutorService scheduler;
    // run id -> its launch (completes with the follower once the task is known); the map is the guard
    private final Map<String, CompletableFuture<TaskFollower>> runs = new ConcurrentHashMap<>();
    private volatile boolean closed;

    public EcsTaskRunner(EcsConfig config, EcsClient ecs, CloudWatchLogsClient logs, Clock clock) {
        this.config = requireNonNull(config, "config is null");
        this.ecs = requireNonNull(ecs, "ecs is null");
        this.logs = requireNonNull(logs, "logs is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.scheduler = Executors.newScheduledThreadPool(FOLLOW_THREADS, daemonThreads());
    }

    /**
     * Whether ECS answers for the cluster: one {@code ListTasks} of at most one task (an action the
     * executor's role already has), not retried. Throttling counts as ready, since ECS answered;
     * anything else is reported by its AWS error code, never by AWS's message text.
     */
    public Readiness readiness() {
        if (closed) {
            return Readiness.notReady("the ECS task runner is closed");
        }
        try {
            ecs.listTasks(r -> r.cluster(config.cluster()).maxResults(1)
                    .overrideConfiguration(o -> o.apiCallTimeout(READINESS_CALL_TIMEOUT).apiCallAttemptTimeout(READINESS_CALL_TIMEOUT)));
            return Readiness.READY;
        } catch (SdkException e) {
            if (AwsFailure.of(e) == AwsFailure.THROTTLED) {
                return Readiness.READY;
            }
            return Readiness.notReady("ECS ListTasks for the cluster failed: " + AwsFailure.code(e));
        }
    }

    /**
     * Launches the run's task, or attaches to the one already launched for this run id, and
     * follows it in the background, reporting to {@code listener}. Blocks while it looks for an
     * existing task and launches (a few AWS calls, retried with backoff on throttling).
     *
     * <p>If this runner already follows the run, nothing is launched: {@code listener} is added and
     * hears what happens from now on.
     *
     * @return the task's ARN
     * @throws EcsTaskException when ECS refuses the launch or stays unavailable; nothing was
     *     launched, unless ECS launched it without answering, in which case a retry attaches to it
     * @throws IllegalStateException after {@link #close()}
     */
    public String start(EcsLaunch launch, EcsTaskListener listener) {
        requireNonNull(launch, "launch is null");
        return follow(launch.runId(), Optional.of(launch), launch.timeout(), listener).orElseThrow();
    }

    /**
     * Attaches to the task already launched for {@code runId} (after an executor restart) and
     * follows it like {@link #start}, but never launches one: when ECS no longer knows a task of
     * the run (it stopped more than about an hour ago, or was never launched), returns empty and
     * {@code listener} hears nothing.
     *
     * @param timeout the run's timeout; it counts from the task's creation
     * @return the task's ARN, or empty when there is no task to follow
     * @throws EcsTaskException when ECS stays unavailable while looking
     */
    public Optional<String> attach(String runId, Duration timeout, EcsTaskListener listener) {
        new dev.portcullis.runtime.request.RunId(requireNonNull(runId, "runId is null"));
        return follow(runId, Optional.empty(), requireNonNull(timeout, "timeout is null"), listener);
    }

    private Optional<String> follow(String runId, Optional<EcsLaunch> launch, Duration timeout, EcsTaskListener listener) {
        requireNonNull(listener, "listener is null");
        checkOpen();
        CompletableFuture<TaskFollower> mine = new CompletableFuture<>();
        CompletableFuture<TaskFollower> existing = runs.putIfAbsent(runId, mine);
        if (existing != null) {
            TaskFollower follower = await(existing);
            follower.attach(listener);
            return Optional.of(follower.taskArn());
        }
        Optional<TaskFollower> follower;
        try {
            follower = launchOrAttach(runId, launch, timeout, listener, mine);
        } catch (RuntimeException e) {
            runs.remove(runId, mine);
            mine.completeExceptionally(e);
            throw e;
        }
        if (follower.isEmpty()) {
            runs.remove(runId, mine);
            mine.completeExceptionally(new EcsTaskException("ECS knows no task of this run", false, null));
            return Optional.empty();
        }
        mine.complete(follower.get());
        follower.get().begin();
        return Optional.of(follower.get().taskArn());
    }

    /**
     * Stops the run's task with {@code reason} (shown by ECS as the task's stopped reason, cut to
     * 255 characters). Idempotent: stopping a stopped task, or a run without a task, does nothing.
     * When this runner follows the task, returns at once and the listener hears {@code onFinished}
     * once the task has stopped; otherwise (after a restart, before the run was attached again)
     * stops a task found by its run id, blocking for those calls.
     *
     * @throws EcsTaskException when the task could not be looked up or stopped
     */
    public void cancel(String runId, String reason) {
        requireNonNull(runId, "runId is null");
        requireNonNull(reason, "reason is null");
        checkOpen();
        CompletableFuture<TaskFollower> launch = runs.get(runId);
        if (launch != null) {
            TaskFollower follower;
            try {
                follower = await(launch);
            } catch (EcsTaskException failedLaunch) {
                return; // the launch failed: there is no task to stop
            }
            follower.requestStop(reason);
            return;
        }
        Optional<Task> task = find(runId);
        if (task.isEmpty() || EcsTaskStatus.STOPPED.equals(task.get().lastStatus())) {
            return;
        }
        String arn = task.get().taskArn();
        String cut = reason.length() <= 255 ? reason : reason.substring(0, 255);
        retrying("StopTask", () -> ecs.stopTask(r -> r.cluster(config.cluster()).task(arn).reason(cut)));
        log.atInfo().addKeyValue("run_id", runId).addKeyValue("task_arn", arn).log("ecs.task_stop_requested");
    }

    /**
     * Stops following tasks; they keep running on ECS, and a new runner attaches to them by run id.
     * Listeners hear nothing more. Does not close the SDK clients.
     */
    @Override
    public void close() {
        closed = true;
        scheduler.shutdownNow();
        try {
            if (!scheduler.awaitTermination(EcsSdkClients.ATTEMPT_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                log.atWarn().log("ecs.runner_close_timed_out");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private Optional<TaskFollower> launchOrAttach(String runId, Optional<EcsLaunch> launch, Duration timeout,
            EcsTaskListener listener, CompletableFuture<TaskFollower> mine) {
        Optional<Task> found = find(runId);
        Task task;
        if (found.isPresent()) {
            task = found.get();
            log.atInfo().addKeyValue("run_id", runId).addKeyValue("task_arn", task.taskArn())
                    .addKeyValue("last_status", task.lastStatus()).log("ecs.task_attached");
        } else if (launch.isPresent()) {
            task = runTask(launch.get());
            log.atInfo().addKeyValue("run_id", runId).addKeyValue("task_arn", task.taskArn()).log("ecs.task_launched");
        } else {
            log.atWarn().addKeyValue("run_id", runId).log("ecs.task_not_found");
            return Optional.empty();
        }
        LogTail tail = new LogTail(logs, config.logGroup(), logStream(task.taskArn()));
        return Optional.of(new TaskFollower(runId, task, config, ecs, tail, clock, scheduler, timeout, listener,
                () -> runs.remove(runId, mine)));
    }

    private Task runTask(EcsLaunch launch) {
        int size = launch.overrideCharacters(config.containerName());
        if (size > EcsLaunch.MAX_OVERRIDE_CHARACTERS) {
            // counted, never shown: the overrides carry secret values
            throw new EcsTaskException("the task's command and environment take " + size + " characters of ECS overrides, "
                    + "more than the " + EcsLaunch.MAX_OVERRIDE_CHARACTERS + " ECS allows (steps' arguments, the command's "
                    + "env, secrets and artifact URLs count)", false, null);
        }
        List<KeyValuePair> environment = launch.environment().entrySet().stream()
                .sorted(Map.Entry.comparingByKey())
                .map(e -> KeyValuePair.builder().name(e.getKey()).value(e.getValue()).build())
                .toList();
        RunTaskRequest request = RunTaskRequest.builder()
                .cluster(config.cluster())
                .taskDefinition(config.taskDefinition())
                .count(1)
                .launchType(LaunchType.FARGATE)
                .startedBy(STARTED_BY)
                .clientToken(clientToken(launch.runId()))
                .tags(Tag.builder().key(RUN_ID_TAG).value(launch.runId()).build())
                .networkConfiguration(n -> n.awsvpcConfiguration(a -> a
                        .subnets(config.subnets())
                        .securityGroups(config.securityGroups())
                        .assignPublicIp(AssignPublicIp.DISABLED)))
                .overrides(o -> o.containerOverrides(c -> c
                        .name(config.containerName())
                        .command(launch.command())
                        .environment(environment)))
                .build();
        RunTaskResponse response = retrying("RunTask", () -> ecs.runTask(request));
        if (response.tasks().isEmpty()) {
            // e.g. RESOURCE:ENI, or a subnet without capacity: ECS's reason is a code, safe to name
            String reason = response.failures().stream().map(Failure::reason).filter(r -> r != null && !r.isBlank())
                    .findFirst().orElse("no reason given");
            log.atWarn().addKeyValue("run_id", launch.runId()).addKeyValue("reason", reason).log("ecs.task_not_launched");
            throw new EcsTaskException("ECS launched no task: " + reason, reason.startsWith("RESOURCE:"), null);
        }
        return response.tasks().get(0);
    }

    /** The task launched for {@code runId}, running or recently stopped, if ECS still knows it. */
    private Optional<Task> find(String runId) {
        List<String> arns = new ArrayList<>();
        // ECS allows startedBy only as the sole filter, and lists running tasks by default;
        // stopped ones (kept for about an hour) are listed by family instead
        arns.addAll(listAll(ListTasksRequest.builder().cluster(config.cluster()).startedBy(STARTED_BY).build()));
        arns.addAll(listAll(ListTasksRequest.builder().cluster(config.cluster())
                .family(config.taskDefinitionFamily()).desiredStatus(DesiredStatus.STOPPED).build()));
        List<Task> matches = new ArrayList<>();
        List<String> distinct = arns.stream().distinct().toList();
        for (int from = 0; from < distinct.size(); from += DESCRIBE_BATCH) {
            List<String> batch = distinct.subList(from, Math.min(from + DESCRIBE_BATCH, distinct.size()));
            retrying("DescribeTasks", () -> ecs.describeTasks(r -> r.cluster(config.cluster()).tasks(batch)
                    .include(TaskField.TAGS))).tasks().stream()
                    .filter(t -> STARTED_BY.equals(t.startedBy()))
                    .filter(t -> t.tags().stream().anyMatch(tag -> RUN_ID_TAG.equals(tag.key()) && runId.equals(tag.value())))
                    .forEach(matches::add);
        }
        if (matches.size() > 1) {
            log.atWarn().addKeyValue("run_id", runId).addKeyValue("tasks", matches.size()).log("ecs.several_tasks_for_run");
        }
        // a running task first, then the newest
        return matches.stream().min(Comparator
                .comparing((Task t) -> EcsTaskStatus.STOPPED.equals(t.lastStatus()))
                .thenComparing(t -> t.createdAt() == null ? Instant.MIN : t.createdAt(), Comparator.reverseOrder()));
    }

    private List<String> listAll(ListTasksRequest first) {
        List<String> arns = new ArrayList<>();
        ListTasksRequest request = first;
        while (true) {
            ListTasksRequest current = request;
            ListTasksResponse page = retrying("ListTasks", () -> ecs.listTasks(current));
            arns.addAll(page.taskArns());
            if (page.nextToken() == null || page.nextToken().isEmpty()) {
                return arns;
            }
            request = first.toBuilder().nextToken(page.nextToken()).build();
        }
    }

    /** Runs {@code call}, retrying throttling and transient failures with backoff, on this thread. */
    private <T> T retrying(String operation, Supplier<T> call) {
        Backoff retries = Backoff.exponential(config.pollInitial(), config.pollMax()).withMaxAttempts(MAX_ATTEMPTS);
        for (int attempt = 1; ; attempt++) {
            try {
                return call.get();
            } catch (SdkException e) {
                AwsFailure kind = AwsFailure.of(e);
                if (!kind.retryable() || !retries.retriesAfter(attempt)) {
                    log.atWarn().addKeyValue("operation", operation).addKeyValue("error_code", AwsFailure.code(e))
                            .addKeyValue("attempts", attempt).log("ecs.call_failed");
                    throw new EcsTaskException(operation + " failed: " + AwsFailure.code(e), kind.retryable(), e);
                }
                log.atDebug().addKeyValue("operation", operation).addKeyValue("error_code", AwsFailure.code(e))
                        .log("ecs.call_retried");
            }
            pause(retries.delay(attempt));
        }
    }

    private void pause(Duration delay) {
        try {
            TimeUnit.NANOSECONDS.sleep(delay.toNanos());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EcsTaskException("interrupted while waiting to retry an AWS call", true, e);
        }
        checkOpen();
    }

    private TaskFollower await(CompletableFuture<TaskFollower> launch) {
        try {
            return launch.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw e;
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the ECS task runner is closed");
        }
    }

    /** {@code prefix/container/taskId}: the stream the awslogs driver writes for the task's container. */
    String logStream(String taskArn) {
        return config.logStreamPrefix() + "/" + config.containerName() + "/" + taskArn.substring(taskArn.lastIndexOf('/') + 1);
    }

    /** The client token of a run's launch: at most 64 ASCII characters, one per run id. */
    static String clientToken(String runId) {
        return STARTED_BY + "-" + runId;
    }

    private static ThreadFactory daemonThreads() {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, "ecs-follow-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
