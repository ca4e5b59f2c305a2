package dev.portcullis.executor.backend.ecs;

import static java.util.Objects.requireNonNull;

import dev.portcullis.executor.task.TaskBackend;
import dev.portcullis.executor.task.TaskEvent;
import dev.portcullis.executor.task.TaskRun;
import dev.portcullis.executor.task.TaskRun.Outcome;
import dev.portcullis.executor.task.TaskSpec;
import dev.portcullis.executor.task.TaskStep;
import dev.portcullis.runtime.health.Readiness;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
import software.amazon.awssdk.services.ecs.EcsClient;

/**
 * Runs tasks on ECS Fargate through the {@link EcsTaskRunner}: the container's command is the
 * argv of every step, one after the other, and {@code PORTCULLIS_STEPS} says where each step
 * ends: its argument count, comma-separated, a {@code d} after the count of a
 * {@code -detailed-exitcode} step (e.g. {@code 3,6d} for two steps of 3 and 6 arguments). So no
 * argument is ever re-parsed: ECS hands the runner image the command as an array, and the image's
 * runner splits it by count. The container's environment is the command's env and the granted
 * secrets plus the coordinates the runner image checks out ({@code PORTCULLIS_RUN_ID},
 * {@code PORTCULLIS_REPO_URL}, {@code PORTCULLIS_COMMIT_SHA}, {@code PORTCULLIS_FOLDER},
 * {@code PORTCULLIS_ENVIRONMENT}). ECS takes at most {@value EcsLaunch#MAX_OVERRIDE_CHARACTERS}
 * characters of overrides (command and environment as JSON): a larger task fails before launch,
 * saying how large it is. AWS calls run on the backend's own
 * threads, so starting and cancelling return at once. Tasks survive the executor: a new backend
 * {@linkplain #resume resumes} them by run id and never launches one twice.
 *
 * <p>Plan artifacts never pass through the executor's files here: the task service puts presigned
 * URLs of the artifact store into the environment (see {@link TaskBackend#collectsFiles()}), the
 * runner image fetches and checks the plan and uploads the produced artifact, and the service
 * digests the uploaded object itself. Thread-safe.
 */
public final class EcsTaskBackend implements TaskBackend {
    private static final Logger log = LoggerFactory.getLogger(EcsTaskBackend.class);
    private static final int MAX_LINE = 16 * 1024;
    private static final int CALL_THREADS = 4;

    private final EcsTaskRunner runner;
    private final List<AutoCloseable> owned;
    private final ExecutorService calls;

    /** @param runner the runner; closed by {@link #close()} */
    public EcsTaskBackend(EcsTaskRunner runner) {
        this(runner, List.of());
    }

    private EcsTaskBackend(EcsTaskRunner runner, List<AutoCloseable> owned) {
        this.runner = requireNonNull(runner, "runner is null");
        this.owned = List.copyOf(owned);
        AtomicInteger count = new AtomicInteger();
        this.calls = Executors.newFixedThreadPool(CALL_THREADS, runnable -> {
            Thread thread = new Thread(runnable, "ecs-call-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * A backend with its own SDK clients for {@code config} (closed with it).
     *
     * @param credentials in production the SDK's default chain (the executor's own role)
     */
    public static EcsTaskBackend create(EcsConfig config, AwsCredentialsProvider credentials, Clock clock) {
        EcsClient ecs = EcsSdkClients.ecs(config, credentials);
        CloudWatchLogsClient logs = EcsSdkClients.logs(config, credentials);
        return new EcsTaskBackend(new EcsTaskRunner(config, ecs, logs, clock), List.of(ecs, logs));
    }

    @Override
    public Kind kind() {
        return Kind.ECS;
    }

    /** The task runs in Fargate: artifacts move through presigned URLs, never as the executor's files. */
    @Override
    public boolean collectsFiles() {
        return false;
    }

    @Override
    public Readiness readiness() {
        return runner.readiness();
    }

    @Override
    public boolean survivesRestart() {
        return true;
    }

    @Override
    public Handle start(TaskSpec spec, Map<String, String> environment, TaskRun run) {
        Follow follow = new Follow(spec, run);
        Map<String, String> launchEnvironment = new HashMap<>(environment);
        launchEnvironment.put("PORTCULLIS_RUN_ID", spec.runId().value());
        launchEnvironment.put("PORTCULLIS_REPO_URL", spec.repoUrl());
        launchEnvironment.put("PORTCULLIS_COMMIT_SHA", spec.commit().value());
        launchEnvironment.put("PORTCULLIS_FOLDER", spec.folder().isRoot() ? "." : spec.folder().value());
        launchEnvironment.put("PORTCULLIS_ENVIRONMENT", spec.environment());
        List<String> command = new ArrayList<>();
        List<String> counts = new ArrayList<>();
        for (TaskStep step : spec.steps()) {
            command.addAll(step.argv());
            counts.add(step.argv().size() + (step.detailedExitcode() ? "d" : ""));
        }
        launchEnvironment.put("PORTCULLIS_STEPS", String.join(",", counts));
        EcsLaunch launch = new EcsLaunch(spec.runId().value(), command, launchEnvironment, spec.timeout());
        submit(follow, () -> {
            runner.start(launch, follow);
            follow.launchedOrFound();
        });
        return follow;
    }

    @Override
    public Handle resume(TaskSpec spec, TaskRun run) {
        Follow follow = new Follow(spec, run);
        submit(follow, () -> {
            if (runner.attach(spec.runId().value(), spec.timeout(), follow).isEmpty()) {
                run.ended(Outcome.LOST, -1,
                        "after the executor restarted, ECS no longer knew this run's task; it was not started again");
                return;
            }
            follow.launchedOrFound();
        });
        return follow;
    }

    private void submit(Follow follow, Runnable call) {
        try {
            calls.execute(() -> {
                try {
                    call.run();
                } catch (EcsTaskException e) {
                    follow.run.ended(Outcome.FAILED, -1, "the ECS task could not be launched: " + e.getMessage());
                } catch (IllegalStateException e) {
                    follow.run.ended(Outcome.CANCELLED, -1, "the executor is shutting down");
                }
            });
        } catch (RejectedExecutionException e) {
            follow.run.ended(Outcome.CANCELLED, -1, "the executor is shutting down");
        }
    }

    /** Stops following tasks (they keep running on ECS) and closes the runner. */
    @Override
    public void close() {
        calls.shutdownNow();
        try {
            if (!calls.awaitTermination(EcsSdkClients.ATTEMPT_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                log.atWarn().log("ecs.backend_close_timed_out");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        runner.close();
        for (AutoCloseable client : owned) {
            try {
                client.close();
            } catch (Exception e) {
                log.atWarn().setCause(e).log("ecs.client_close_failed");
            }
        }
    }

    /** One task's listener and handle. */
    private final class Follow implements EcsTaskListener, Handle {
        final TaskSpec spec;
        final TaskRun run;
        // guarded by this
        private boolean announced;
        private boolean known;
        private String cancelReason;

        Follow(TaskSpec spec, TaskRun run) {
            this.spec = spec;
            this.run = run;
        }

        /** The runner follows the task now: a cancel that came earlier is sent. */
        void launchedOrFound() {
            String reason;
            synchronized (this) {
                known = true;
                reason = cancelReason;
            }
            if (reason != null) {
                stop(reason);
            }
        }

        @Override
        public void cancel(String reason) {
            boolean send;
            synchronized (this) {
                if (cancelReason != null) {
                    return;
                }
                cancelReason = reason.isEmpty() ? "cancelled" : reason;
                send = known;
            }
            if (send) {
                calls.execute(() -> stop(cancelReason));
            }
        }

        private void stop(String reason) {
            try {
                runner.cancel(spec.runId().value(), reason);
            } catch (EcsTaskException | IllegalStateException e) {
                log.atWarn().addKeyValue("run_id", spec.runId().value()).log("ecs.cancel_failed");
            }
        }

        @Override
        public void onStatus(EcsTaskStatus status) {
            boolean first;
            synchronized (this) {
                first = !announced;
                announced = true;
            }
            if (first) {
                run.launched(status.taskArn());
            }
            run.system("ECS task " + status.lastStatus());
            if ("RUNNING".equals(status.lastStatus())) {
                run.running();
            }
        }

        @Override
        public void onLogLine(String line) {
            for (int start = 0; start < line.length() || start == 0; start += MAX_LINE) {
                run.line(TaskEvent.Stream.STDOUT, line.substring(start, Math.min(line.length(), start + MAX_LINE)));
                if (line.isEmpty()) {
                    break;
                }
            }
        }

        @Override
        public void onFinished(EcsTaskStatus status, boolean timedOut) {
            boolean cancelled;
            synchronized (this) {
                cancelled = cancelReason != null;
            }
            int exit = status.exitCode().orElse(-1);
            if (timedOut) {
                run.ended(Outcome.TIMED_OUT, exit, "ran longer than " + spec.timeout());
            } else if (cancelled) {
                run.ended(Outcome.CANCELLED, exit, "cancelled");
            } else if (!status.stopped()) {
                run.ended(Outcome.FAILED, -1, "the executor lost track of the ECS task (see the executor log)");
            } else if (status.exitCode().isEmpty()) {
                // ECS's stop reason is upstream text: for the operator's log, not the caller
                log.atWarn().addKeyValue("run_id", spec.runId().value()).addKeyValue("task_arn", status.taskArn())
                        .addKeyValue("stop_reason", status.stopReason()).log("ecs.task_stopped_without_exit");
                run.ended(Outcome.FAILED, -1, "the ECS task stopped before the command ran (see the executor log)");
            } else {
                run.ended(exit == 0 ? Outcome.SUCCEEDED : Outcome.FAILED, exit, exit == 0 ? "" : "the command exited with " + exit);
            }
        }
    }
}
