package dev.portcullis.cli.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.rpc.ErrorInfo;
import dev.portcullis.v1.ApproveRunRequest;
import dev.portcullis.v1.AuditServiceGrpc;
import dev.portcullis.v1.ChainedEvent;
import dev.portcullis.v1.RejectRunRequest;
import dev.portcullis.v1.Run;
import dev.portcullis.v1.RunState;
import dev.portcullis.v1.SubmitRunRequest;
import dev.portcullis.v1.VerifyRequest;
import dev.portcullis.v1.VerifyResponse;
import dev.portcullis.v1.WatchRunResponse;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The product's main path, end to end through the suite as dev mode runs it: plan, denial,
 * approval with the two-person rule and plan-digest binding, apply of exactly the approved plan,
 * and every step on the audit record with one trace id per run.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RunLifecycleTest {
    @TempDir
    static Path dir;

    private SuiteFixture suite;

    @BeforeAll
    void start() throws Exception {
        suite = SuiteFixture.start(dir);
    }

    @AfterAll
    void stop() {
        suite.close();
    }

    @Test
    void aPlanOnABranchIsAllowedRunsAndStreamsItsLog() throws Exception {
        Run submitted = suite.submit("ci", SuiteFixture.spec(suite.branchCommit, "refs/heads/feature/x", "stage/app", "stage", "plan"));

        assertEquals(RunState.RUN_STATE_QUEUED, submitted.getState(), submitted.getStateReason());
        List<WatchRunResponse> events = suite.watch(submitted.getRunId(), 0);

        Run last = events.get(events.size() - 1).getStateChange();
        assertEquals(RunState.RUN_STATE_SUCCEEDED, last.getState(), SuiteFixture.log(events));
        assertTrue(SuiteFixture.log(events).contains("demo plan for stage"), SuiteFixture.log(events));
        for (int i = 0; i < events.size(); i++) {
            assertEquals(i, events.get(i).getOffset(), "offsets are dense from 0");
        }
        assertEquals(64, last.getPlanArtifact().getSha256().length());
    }

    @Test
    void aWatcherResumingFromAnOffsetMissesNothingAndSeesNothingTwice() throws Exception {
        Run submitted = suite.submit("ci", SuiteFixture.spec(suite.branchCommit, "refs/heads/feature/x", "stage/app", "stage", "plan"));
        List<WatchRunResponse> all = suite.watch(submitted.getRunId(), 0);

        for (long from = 0; from <= all.size(); from++) {
            List<WatchRunResponse> resumed = suite.watch(submitted.getRunId(), from);
            assertEquals(all.subList((int) from, all.size()), resumed, "resumed from " + from);
        }
        StatusRuntimeException beyond = assertThrows(StatusRuntimeException.class,
                () -> suite.watch(submitted.getRunId(), all.size() + 1));
        assertEquals(Status.Code.OUT_OF_RANGE, beyond.getStatus().getCode());
    }

    @Test
    void anApplyFromABranchThatIsNotAllowedIsDeniedWithReasons() throws Exception {
        Run plan = suite.submit("ci", SuiteFixture.spec(suite.branchCommit, "refs/heads/feature/x", "stage/app", "stage", "plan"));
        suite.awaitState(plan.getRunId(), RunState.RUN_STATE_SUCCEEDED);

        Run apply = suite.submit("ci", SuiteFixture.spec(suite.branchCommit, "refs/heads/feature/x", "stage/app", "stage", "apply")
                .setPlanRunId(plan.getRunId()));

        assertEquals(RunState.RUN_STATE_DENIED, apply.getState());
        assertFalse(apply.getDecision().getReasonsList().isEmpty());
        assertTrue(apply.getStateReason().contains("refs/heads/feature/x"), apply.getStateReason());
        List<ChainedEvent> audit = suite.auditOf(apply.getRunId(), 2);
        assertTrue(audit.stream().anyMatch(e -> e.getEvent().getAction().name().equals("AUDIT_ACTION_POLICY_DENIED")), audit.toString());
    }

    @Test
    void planOnMainThenApplyWithApprovalRunsExactlyTheApprovedPlan() throws Exception {
        Run plan = suite.submit("ci", SuiteFixture.spec(suite.mainCommit, "refs/heads/main", "prod/app", "prod", "plan"));
        Run planned = suite.awaitState(plan.getRunId(), RunState.RUN_STATE_SUCCEEDED);
        String digest = planned.getPlanArtifact().getSha256();

        Run apply = suite.submit("ci", SuiteFixture.spec(suite.mainCommit, "refs/heads/main", "prod/app", "prod", "apply")
                .setPlanRunId(plan.getRunId()));
        assertEquals(RunState.RUN_STATE_AWAITING_APPROVAL, apply.getState(), apply.getStateReason());
        assertEquals(1, apply.getRequiredApprovals());

        // the requester holds no approver role
        StatusRuntimeException byCi = assertThrows(StatusRuntimeException.class, () -> suite.gateway("ci")
                .approveRun(ApproveRunRequest.newBuilder().setRunId(apply.getRunId()).setPlanDigest(digest).build()));
        assertEquals(Status.Code.PERMISSION_DENIED, byCi.getStatus().getCode());
        // an approval for another plan is refused
        StatusRuntimeException wrongPlan = assertThrows(StatusRuntimeException.class, () -> suite.gateway("approver")
                .approveRun(ApproveRunRequest.newBuilder().setRunId(apply.getRunId()).setPlanDigest("0".repeat(64)).build()));
        assertEquals("PLAN_DIGEST_MISMATCH", reason(wrongPlan));

        Run approved = suite.gateway("approver").approveRun(ApproveRunRequest.newBuilder().setRunId(apply.getRunId())
                .setPlanDigest(digest).setComment("looks right").build()).getRun();
        assertEquals(1, approved.getApprovalsCount());
        List<WatchRunResponse> events = suite.watch(apply.getRunId(), 0);
        Run applied = events.get(events.size() - 1).getStateChange();

        assertEquals(RunState.RUN_STATE_SUCCEEDED, applied.getState(), SuiteFixture.log(events));
        assertTrue(SuiteFixture.log(events).contains("applying + resource demo_prod"), SuiteFixture.log(events));
        List<ChainedEvent> audit = suite.auditOf(apply.getRunId(), 6);
        Set<String> actions = audit.stream().map(e -> e.getEvent().getAction().name()).collect(Collectors.toSet());
        assertTrue(actions.containsAll(Set.of("AUDIT_ACTION_RUN_SUBMITTED", "AUDIT_ACTION_POLICY_ALLOWED",
                "AUDIT_ACTION_RUN_AWAITING_APPROVAL", "AUDIT_ACTION_RUN_APPROVED", "AUDIT_ACTION_RUN_STARTED",
                "AUDIT_ACTION_RUN_FINISHED")), actions.toString());
        Set<String> traces = audit.stream().map(e -> e.getEvent().getTraceId()).filter(t -> !t.isEmpty())
                .collect(Collectors.toSet());
        assertEquals(Set.of(applied.getTraceId()), traces, "one trace id per run");
        VerifyResponse verified = AuditServiceGrpc.newBlockingStub(suite.channel("audit", "auditor"))
                .withDeadlineAfter(30, TimeUnit.SECONDS).verify(VerifyRequest.getDefaultInstance());
        assertTrue(verified.getIntact(), verified.getProblem());
    }

    @Test
    void theRequesterCanNeverApproveTheirOwnRun() throws Exception {
        Run plan = suite.submit("ci", SuiteFixture.spec(suite.mainCommit, "refs/heads/main", "prod/app", "prod", "plan"));
        String digest = suite.awaitState(plan.getRunId(), RunState.RUN_STATE_SUCCEEDED).getPlanArtifact().getSha256();
        // the dev admin may submit and approve: the two-person rule still refuses its own run
        Run apply = suite.gateway("admin").submitRun(SubmitRunRequest.newBuilder()
                .setSpec(SuiteFixture.spec(suite.mainCommit, "refs/heads/main", "prod/app", "prod", "apply")
                        .setPlanRunId(plan.getRunId()))
                .setRequestKey("admin-apply-" + plan.getRunId()).build()).getRun();
        assertEquals(RunState.RUN_STATE_AWAITING_APPROVAL, apply.getState(), apply.getStateReason());

        StatusRuntimeException self = assertThrows(StatusRuntimeException.class, () -> suite.gateway("admin")
                .approveRun(ApproveRunRequest.newBuilder().setRunId(apply.getRunId()).setPlanDigest(digest).build()));

        assertEquals(Status.Code.PERMISSION_DENIED, self.getStatus().getCode());
        assertEquals("SELF_APPROVAL", reason(self));
        Run rejected = suite.gateway("approver").rejectRun(RejectRunRequest.newBuilder().setRunId(apply.getRunId())
                .setReason("test over").build()).getRun();
        assertEquals(RunState.RUN_STATE_REJECTED, rejected.getState());
    }

    @Test
    void aRetriedSubmitWithTheSameRequestKeyReturnsTheSameRun() {
        SubmitRunRequest request = SubmitRunRequest.newBuilder()
                .setSpec(SuiteFixture.spec(suite.branchCommit, "refs/heads/feature/x", "stage/app", "stage", "plan"))
                .setRequestKey("ci-job-42-attempt-1").build();

        Run first = suite.gateway("ci").submitRun(request).getRun();
        Run second = suite.gateway("ci").submitRun(request).getRun();
        StatusRuntimeException reused = assertThrows(StatusRuntimeException.class, () -> suite.gateway("ci").submitRun(
                request.toBuilder().setSpec(request.getSpec().toBuilder().setFolder("prod/app").setEnvironment("prod")).build()));

        assertEquals(first.getRunId(), second.getRunId());
        assertEquals(Status.Code.ALREADY_EXISTS, reused.getStatus().getCode());
    }

    static String reason(StatusRuntimeException e) throws Exception {
        com.google.rpc.Status status = StatusProto.fromThrowable(e);
        for (var detail : status.getDetailsList()) {
            if (detail.is(ErrorInfo.class)) {
                return detail.unpack(ErrorInfo.class).getReason();
            }
        }
        return "";
    }
}
