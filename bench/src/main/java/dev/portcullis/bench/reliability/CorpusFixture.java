package dev.portcullis.bench.reliability;

import static java.util.Objects.requireNonNull;

import dev.portcullis.v1.ApproveRunRequest;
import dev.portcullis.v1.CancelRunRequest;
import dev.portcullis.v1.GetRunRequest;
import dev.portcullis.v1.Run;
import dev.portcullis.v1.RunState;
import dev.portcullis.v1.SubmitRunRequest;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The runs the hostile cases refer to, made on the suite before any case runs: a finished plan in
 * {@code prod/app}, applies of it waiting and approved, a denied run, a run whose request key a
 * case replays, and (when the catalog lets the admin call) an apply of the admin's own waiting
 * for approval, cancelled by {@link #tidy} when the cases are done.
 *
 * @param requester the CI identity that made the plan and its applies
 * @param replayer the CI identity that submitted a run under {@code replayedKey}
 */
record CorpusFixture(HostileCaller requester, Run plan, Run awaiting, Run approved, Run denied, HostileCaller replayer,
        String replayedKey, HostileCaller admin, Optional<Run> adminsOwnApply) {
    private static final Duration RUN_DEADLINE = Duration.ofSeconds(120);

    CorpusFixture {
        requireNonNull(requester, "requester is null");
        requireNonNull(plan, "plan is null");
        requireNonNull(awaiting, "awaiting is null");
        requireNonNull(approved, "approved is null");
        requireNonNull(denied, "denied is null");
        requireNonNull(replayer, "replayer is null");
        requireNonNull(replayedKey, "replayedKey is null");
        requireNonNull(admin, "admin is null");
        requireNonNull(adminsOwnApply, "adminsOwnApply is null");
    }

    /**
     * Makes the runs.
     *
     * @throws IllegalStateException when the suite cannot (no dev catalog shape, a plan that fails)
     */
    static CorpusFixture make(HostileCaseRunner runner, CorpusIdentities identities, CorpusRequests requests,
            CorpusCatalogFacts facts) {
        HostileCaller requester = identities.ci();
        Run submitted = call(requester, () -> runner.gateway(requester).submitRun(CorpusRequests.submit(requests.spec()
                .setFolder("prod/app").setEnvironment("prod")).build())).getRun();
        Run plan = awaitFinal(runner, requester, submitted.getRunId());
        if (plan.getState() != RunState.RUN_STATE_SUCCEEDED || !plan.hasPlanArtifact()) {
            throw new IllegalStateException("the corpus' fixture plan run " + plan.getRunId() + " ended " + plan.getState()
                    + " (" + plan.getStateReason() + "); the suite cannot run the dev catalog's plan");
        }
        Supplier<SubmitRunRequest> apply = () -> CorpusRequests.submit(requests.spec().setCommand("apply").setFolder("prod/app")
                .setEnvironment("prod").setPlanRunId(plan.getRunId())).build();
        Run awaiting = call(requester, () -> runner.gateway(requester).submitRun(apply.get())).getRun();
        Run toApprove = call(requester, () -> runner.gateway(requester).submitRun(apply.get())).getRun();
        for (Run run : List.of(awaiting, toApprove)) {
            if (run.getState() != RunState.RUN_STATE_AWAITING_APPROVAL) {
                throw new IllegalStateException("the corpus' apply " + run.getRunId() + " should await approval in prod; it is "
                        + run.getState());
            }
        }
        HostileCaller approver = identities.approver();
        Run approved = call(approver, () -> runner.gateway(approver).approveRun(ApproveRunRequest.newBuilder()
                .setRunId(toApprove.getRunId()).setPlanDigest(plan.getPlanArtifact().getSha256())
                .setComment("hostile corpus fixture").build())).getRun();
        Run denied = call(requester, () -> runner.gateway(requester).submitRun(CorpusRequests.submit(requests.spec()
                .setRef("refs/tags/denied")).build())).getRun();
        if (denied.getState() != RunState.RUN_STATE_DENIED) {
            throw new IllegalStateException("a plan from a tag should be denied by the dev catalog; it is " + denied.getState());
        }
        HostileCaller replayer = identities.ci();
        String replayedKey = CorpusRequests.key();
        call(replayer, () -> runner.gateway(replayer).submitRun(SubmitRunRequest.newBuilder().setRequestKey(replayedKey)
                .setSpec(requests.spec().setRef("refs/tags/first")).build()));
        HostileCaller admin = identities.admin();
        Optional<Run> adminsOwnApply = Optional.empty();
        if (facts.adminIsCaller()) {
            Run own = call(admin, () -> runner.gateway(admin).submitRun(apply.get())).getRun();
            if (own.getState() != RunState.RUN_STATE_AWAITING_APPROVAL) {
                throw new IllegalStateException("the admin's apply should wait for approval; it is " + own.getState());
            }
            adminsOwnApply = Optional.of(own);
        }
        return new CorpusFixture(requester, plan, awaiting, approved, denied, replayer, replayedKey, admin, adminsOwnApply);
    }

    /** Cancels what should not stay waiting once the cases are done: the admin's own apply. */
    void tidy(HostileCaseRunner runner) {
        adminsOwnApply.ifPresent(own -> call(admin, () -> runner.gateway(admin).cancelRun(CancelRunRequest.newBuilder()
                .setRunId(own.getRunId()).build())));
    }

    private static Run awaitFinal(HostileCaseRunner runner, HostileCaller caller, String runId) {
        Instant deadline = Instant.now().plus(RUN_DEADLINE);
        Set<RunState> running = EnumSet.of(RunState.RUN_STATE_SUBMITTED, RunState.RUN_STATE_QUEUED, RunState.RUN_STATE_RUNNING,
                RunState.RUN_STATE_AWAITING_APPROVAL);
        while (true) {
            Run run = call(caller, () -> runner.gateway(caller).getRun(GetRunRequest.newBuilder().setRunId(runId).build()))
                    .getRun();
            if (!running.contains(run.getState()) || Instant.now().isAfter(deadline)) {
                return run;
            }
            HostileCorpus.pause(Duration.ofMillis(100));
        }
    }

    private static <T> T call(HostileCaller caller, Supplier<T> call) {
        try {
            return call.get();
        } catch (StatusRuntimeException e) {
            throw new IllegalStateException("a fixture call by " + caller.identity() + " failed: " + e.getStatus().getCode() + " "
                    + e.getStatus().getDescription(), e);
        }
    }
}
