package dev.portcullis.cli.run;

import static java.util.Objects.requireNonNull;

import dev.portcullis.cli.call.CallFailure;
import dev.portcullis.v1.GatewayServiceGrpc;
import dev.portcullis.v1.GetRunRequest;
import dev.portcullis.v1.Run;
import dev.portcullis.v1.RunState;
import dev.portcullis.v1.WatchRunRequest;
import dev.portcullis.v1.WatchRunResponse;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Iterator;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Follows a run with {@code WatchRun} until it ends: log lines go to {@code out} as they come,
 * state changes to {@code err}. When the gateway is lost (UNAVAILABLE, or the stream ends before
 * the run), it reconnects from the offset after the last event it printed, so nothing is missed
 * and nothing printed twice, within the bounds of its {@link ReconnectPolicy}.
 *
 * <p>One {@code follow} at a time: not for concurrent callers. Inside a follow, a reminder thread
 * and the following thread share {@code err}; every line on it is printed holding its monitor, and
 * no reminder is printed once the run's end has been, nor after {@code follow} returns.
 */
final class RunFollower {
    private static final long CALL_SECONDS = 30;
    static final String REMINDER_THREAD = "run-status-reminder";

    private final ManagedChannel channel;
    private final ReconnectPolicy reconnect;
    private final Duration statusInterval;
    private final PrintWriter out;
    // written by the following thread and the reminder thread: all output holds its monitor
    private final PrintWriter err;
    // guarded by err: true once the run's end is printed or follow is leaving, so no reminder follows it
    private boolean ended;

    /**
     * @param statusInterval how often to say again that the run is still waiting for approval or
     *     in the queue; zero never. Not checked against {@link StatusInterval#MINIMUM}: tests pass
     *     shorter ones
     */
    RunFollower(ManagedChannel channel, ReconnectPolicy reconnect, Duration statusInterval, PrintWriter out,
            PrintWriter err) {
        this.channel = requireNonNull(channel, "channel is null");
        this.reconnect = requireNonNull(reconnect, "reconnect is null");
        this.statusInterval = requireNonNull(statusInterval, "statusInterval is null");
        this.out = requireNonNull(out, "out is null");
        this.err = requireNonNull(err, "err is null");
    }

    /**
     * Prints the run's events from offset {@code from} and returns the run once it has ended.
     *
     * @throws StatusRuntimeException when the gateway refuses the watch (e.g. NOT_FOUND)
     * @throws IllegalStateException when the gateway stays unreachable through every attempt;
     *     the message says how to resume
     */
    Run follow(String runId, long from) {
        synchronized (err) {
            ended = false;
        }
        if (statusInterval.isZero()) {
            return followEvents(runId, from);
        }
        ScheduledExecutorService reminders = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, REMINDER_THREAD);
            thread.setDaemon(true);
            return thread;
        });
        try {
            reminders.scheduleWithFixedDelay(() -> remindIfWaiting(runId), statusInterval.toMillis(),
                    statusInterval.toMillis(), TimeUnit.MILLISECONDS);
            return followEvents(runId, from);
        } finally {
            synchronized (err) {
                ended = true; // a reminder between its check of the run and its print must not print now
            }
            reminders.shutdownNow();
            awaitTermination(reminders);
        }
    }

    /** Waits for a reminder in flight: its GetRun is interrupted, and it prints nothing once ended. */
    private static void awaitTermination(ScheduledExecutorService reminders) {
        try {
            reminders.awaitTermination(CALL_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Says again where a waiting run stands: nothing arrives on the watch while it waits, and a
     * silent terminal looks hung. Asks the gateway, so the line is current (queue position,
     * approvals) and a run that moved on is not reported as waiting.
     */
    private void remindIfWaiting(String runId) {
        Run run;
        try {
            run = get(runId);
        } catch (StatusRuntimeException e) {
            return; // the watch itself reports a lost gateway; a reminder adds nothing
        }
        synchronized (err) {
            // checked holding err: the run may have ended, and been printed, since the gateway answered
            if (!ended && RunOutcome.isWaiting(run.getState())) {
                err.println("portcullis: " + RunFormat.waitingLine(run));
                err.flush();
            }
        }
    }

    private Run followEvents(String runId, long from) {
        int attempts = reconnect.attempts();
        long next = from;
        int failures = 0;
        while (true) {
            String lost;
            try {
                Iterator<WatchRunResponse> events = GatewayServiceGrpc.newBlockingStub(channel)
                        .watchRun(WatchRunRequest.newBuilder().setRunId(runId).setFromOffset(next).build());
                while (events.hasNext()) {
                    WatchRunResponse event = events.next();
                    failures = 0;
                    if (event.getOffset() < next) {
                        continue; // offsets are dense; an event below the resume point was printed already
                    }
                    next = event.getOffset() + 1;
                    show(event);
                    if (event.hasStateChange() && RunOutcome.isFinal(event.getStateChange().getState())) {
                        // the run's last event: done now, not when the gateway gets round to closing the
                        // stream (the channel's shutdown cancels the call)
                        return event.getStateChange();
                    }
                }
                Run run = get(runId);
                if (RunOutcome.isFinal(run.getState())) {
                    return run;
                }
                lost = "the watch ended before the run did";
            } catch (StatusRuntimeException e) {
                if (e.getStatus().getCode() != Status.Code.UNAVAILABLE) {
                    throw e;
                }
                lost = CallFailure.describe(e);
            }
            if (failures >= attempts) {
                throw new IllegalStateException("lost the gateway while following run " + runId + " (" + lost
                        + "); gave up after " + failures + " reconnect attempt(s). Resume with: portcullis runs watch "
                        + runId + " --from " + next);
            }
            failures++;
            Duration wait = reconnect.backoff(failures);
            synchronized (err) {
                err.printf("portcullis: lost the gateway (%s); reconnecting in %d s from offset %d (attempt %d of %d)%n",
                        lost, wait.toSeconds(), next, failures, attempts);
                err.flush();
            }
            reconnect.pause(wait);
        }
    }

    private void show(WatchRunResponse event) {
        if (event.hasLogLine()) {
            out.println(event.getLogLine().getText());
            out.flush();
        } else if (event.hasStateChange()) {
            Run run = event.getStateChange();
            synchronized (err) {
                if (RunOutcome.isFinal(run.getState())) {
                    ended = true;
                }
                err.println("portcullis: " + RunFormat.stateLine(run));
                if (run.getState() == RunState.RUN_STATE_SUCCEEDED && run.hasPlanArtifact()) {
                    // the end of a plan: what it would do, as the approver of its apply will read it
                    err.println("portcullis: plan summary of run " + run.getRunId() + ":");
                    RunFormat.planSummary(run).forEach(line -> err.println("  " + line));
                }
                if (run.getState() == RunState.RUN_STATE_AWAITING_APPROVAL && stillAwaitingApproval(run.getRunId())) {
                    printApprovalHint(run);
                }
                err.flush();
            }
        }
    }

    /**
     * A watch replays a run's history: an approval hint is for a run that waits now, not for one
     * that waited once and has since been approved, rejected or cancelled.
     */
    private boolean stillAwaitingApproval(String runId) {
        try {
            return get(runId).getState() == RunState.RUN_STATE_AWAITING_APPROVAL;
        } catch (StatusRuntimeException e) {
            return true; // cannot tell: a hint too many is better than a waiting run nobody knows how to approve
        }
    }

    /** Tells the user who may let the run go on, and the exact line an approver runs. */
    void printApprovalHint(Run run) {
        String approve = approveLine(run);
        synchronized (err) {
            err.printf("portcullis: waiting for %d approval(s)%s; an approver (not %s) runs:%n", run.getRequiredApprovals(),
                    run.hasApprovalDeadline() ? " until " + RunFormat.instant(run.getApprovalDeadline()) : "",
                    run.getRequester());
            err.println("  " + approve);
            err.flush();
        }
    }

    private String approveLine(Run run) {
        String line = "portcullis approve " + run.getRunId();
        if (!run.getSpec().hasPlanRunId()) {
            return line;
        }
        return planDigest(run.getSpec().getPlanRunId()).map(digest -> line + " --plan-digest " + digest)
                .orElse(line + "   (it shows the plan and its digest)");
    }

    /** The digest of a plan run's artifact, when the gateway tells it. */
    Optional<String> planDigest(String planRunId) {
        try {
            Run plan = get(planRunId);
            return plan.hasPlanArtifact() ? Optional.of(plan.getPlanArtifact().getSha256()) : Optional.empty();
        } catch (StatusRuntimeException e) {
            return Optional.empty(); // only a hint: the approve command looks it up again
        }
    }

    private Run get(String runId) {
        return GatewayServiceGrpc.newBlockingStub(channel).withDeadlineAfter(CALL_SECONDS, TimeUnit.SECONDS)
                .getRun(GetRunRequest.newBuilder().setRunId(runId).build()).getRun();
    }
}
