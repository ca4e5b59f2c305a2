package dev.portcullis.cli.run;

import static dev.portcullis.runtime.testing.TestPki.id;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.cli.CliRun;
import dev.portcullis.runtime.identity.IdentityPattern;
import dev.portcullis.runtime.role.Role;
import dev.portcullis.runtime.role.RoleMapping;
import dev.portcullis.runtime.testing.RecordingAuditRecorder;
import dev.portcullis.runtime.testing.TestPki;
import dev.portcullis.runtime.transport.ServerConfig;
import dev.portcullis.runtime.transport.ServiceServer;
import dev.portcullis.runtime.transport.TlsMaterial;
import dev.portcullis.v1.ApproveRunRequest;
import dev.portcullis.v1.ApproveRunResponse;
import dev.portcullis.v1.ArtifactRef;
import dev.portcullis.v1.GatewayServiceGrpc;
import dev.portcullis.v1.GetRunRequest;
import dev.portcullis.v1.GetRunResponse;
import dev.portcullis.v1.PlanChangeCounts;
import dev.portcullis.v1.PlanSummary;
import dev.portcullis.v1.Run;
import dev.portcullis.v1.RunSpec;
import dev.portcullis.v1.RunState;
import dev.portcullis.v1.WatchRunRequest;
import dev.portcullis.v1.WatchRunResponse;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where an approver reads a plan summary on the terminal: {@code approve} (before anything is
 * approved) and {@code runs show}, against a gateway over real mTLS on loopback that answers with
 * runs as the gateway fills them (an apply carries its plan's summary).
 */
class PlanSummaryOutputTest {
    private static final String PLAN = "0b7e3c1a-2f4d-4e5a-9b6c-7d8e9f0a1b2c";
    private static final String APPLY = "1c8f4d2b-3a5e-4f6b-8c7d-8e9f0a1b2c3d";
    private static final String BARE_APPLY = "2d9a5e3c-4b6f-4a7c-9d8e-9f0a1b2c3d4e";
    private static final String DIGEST = "c".repeat(64);
    private static final PlanSummary SUMMARY = PlanSummary.newBuilder()
            .setCounts(PlanChangeCounts.newBuilder().setCreate(2))
            .setHasChanges(true)
            .setText("Plan: 2 to create, 0 to update, 0 to replace, 0 to delete.\n  + terraform_data.a\n  + terraform_data.b\n")
            .build();

    @TempDir
    Path dir;

    private final Map<String, Run> runs = new ConcurrentHashMap<>();
    /** The calls the gateway received, in order: "GetRun ID" and "ApproveRun ID". */
    private final List<String> calls = new CopyOnWriteArrayList<>();
    private TestPki.Credential approver;
    private TlsMaterial tls;
    private ServiceServer gateway;

    @BeforeEach
    void start() {
        TestPki pki = TestPki.create(dir);
        approver = pki.issue("approver", id("human/approver"));
        tls = TlsMaterial.load(pki.tlsConfig(pki.issue("gateway", id("service/gateway")), Duration.ofMinutes(5)));
        RoleMapping roles = new RoleMapping(Map.of(Role.APPROVER,
                List.of(new IdentityPattern("spiffe://test.example/human/approver"))));
        RunSpec planSpec = RunSpec.newBuilder().setRepo("infra").setFolder("prod/app").setEnvironment("prod").setCommand("plan")
                .setCommitSha("0123456789abcdef0123456789abcdef01234567").setRef("refs/heads/main").build();
        runs.put(PLAN, Run.newBuilder().setRunId(PLAN).setSpec(planSpec).setState(RunState.RUN_STATE_SUCCEEDED)
                .setPlanArtifact(ArtifactRef.newBuilder().setUri("file:///plan").setSha256(DIGEST).setSizeBytes(10))
                .setPlanSummary(SUMMARY).build());
        Run apply = Run.newBuilder().setRunId(APPLY).setSpec(planSpec.toBuilder().setCommand("apply").setPlanRunId(PLAN))
                .setState(RunState.RUN_STATE_AWAITING_APPROVAL).setRequiredApprovals(1).setPlanSummary(SUMMARY).build();
        runs.put(APPLY, apply);
        runs.put(BARE_APPLY, apply.toBuilder().setRunId(BARE_APPLY).clearPlanSummary().build());
        gateway = new ServiceServer("gateway", new ServerConfig("127.0.0.1", 0, 4 << 20, Duration.ofSeconds(5), Duration.ZERO),
                tls, roles, List.of(new GatewayServiceGrpc.GatewayServiceImplBase() {
                    @Override
                    public void getRun(GetRunRequest request, StreamObserver<GetRunResponse> response) {
                        calls.add("GetRun " + request.getRunId());
                        Run run = runs.get(request.getRunId());
                        if (run == null) {
                            response.onError(Status.NOT_FOUND.asRuntimeException());
                            return;
                        }
                        response.onNext(GetRunResponse.newBuilder().setRun(run).build());
                        response.onCompleted();
                    }

                    @Override
                    public void watchRun(WatchRunRequest request, StreamObserver<WatchRunResponse> response) {
                        // the plan's end, as the gateway sends it: its final state with artifact and summary
                        response.onNext(WatchRunResponse.newBuilder().setOffset(0).setStateChange(runs.get(request.getRunId()))
                                .build());
                        response.onCompleted();
                    }

                    @Override
                    public void approveRun(ApproveRunRequest request, StreamObserver<ApproveRunResponse> response) {
                        calls.add("ApproveRun " + request.getRunId());
                        Run approved = runs.get(request.getRunId()).toBuilder().setState(RunState.RUN_STATE_QUEUED)
                                .addApprovals(dev.portcullis.v1.Approval.newBuilder().setPlanDigest(request.getPlanDigest()))
                                .build();
                        response.onNext(ApproveRunResponse.newBuilder().setRun(approved).build());
                        response.onCompleted();
                    }
                }), new RecordingAuditRecorder(), Clock.systemUTC());
        gateway.start();
    }

    @AfterEach
    void stop() {
        gateway.close();
        tls.close();
    }

    private record Result(int exit, String stdout, String stderr) {}

    private Result cli(String... args) {
        List<String> line = new java.util.ArrayList<>(List.of(args));
        line.addAll(List.of("--gateway-addr", "localhost:" + gateway.port(), "--ca-file", approver.caFile().toString(),
                "--cert-file", approver.certFile().toString(), "--key-file", approver.keyFile().toString()));
        CliRun run = new CliRun();
        int exit = run.execute(line.toArray(String[]::new));
        run.assertNoStackTrace();
        return new Result(exit, run.out(), run.err());
    }

    @Test
    void approvingAnApplyPrintsItsPlanSummaryBeforeTheApproval() {
        Result approved = cli("approve", APPLY, "--plan-digest", DIGEST);

        assertEquals(0, approved.exit(), approved.stderr());
        String out = approved.stdout();
        int summary = out.indexOf("  Plan: 2 to create, 0 to update, 0 to replace, 0 to delete.");
        assertTrue(summary >= 0, out);
        assertTrue(out.contains("    + terraform_data.a\n    + terraform_data.b\n"), out);
        assertTrue(summary < out.indexOf("approved run " + APPLY), out);
        assertEquals(List.of("GetRun " + APPLY, "ApproveRun " + APPLY), calls);
    }

    @Test
    void approvingAnApplyWhosePlanHasNoSummarySaysSoBeforeTheApproval() {
        Result approved = cli("approve", BARE_APPLY, "--plan-digest", DIGEST);

        assertEquals(0, approved.exit(), approved.stderr());
        assertTrue(approved.stdout().contains("  no summary: the plan command declares no `summary:`\napproved run "),
                approved.stdout());
    }

    @Test
    void approvingWithoutADigestShowsThePlanSummaryAndApprovesNothing() {
        Result shown = cli("approve", APPLY);

        assertEquals(1, shown.exit());
        assertTrue(shown.stderr().contains("Plan: 2 to create, 0 to update, 0 to replace, 0 to delete."), shown.stderr());
        assertTrue(shown.stderr().contains("nothing approved"), shown.stderr());
        assertFalse(calls.contains("ApproveRun " + APPLY), calls.toString());
    }

    @Test
    void runsShowPrintsThePlanSummaryOfAPlanRun() {
        Result shown = cli("runs", "show", PLAN);

        assertEquals(0, shown.exit(), shown.stderr());
        assertTrue(shown.stdout().contains("plan summary  Plan: 2 to create, 0 to update, 0 to replace, 0 to delete.\n"),
                shown.stdout());
        assertTrue(shown.stdout().contains("              + terraform_data.b\n"), shown.stdout());
    }

    @Test
    void theEndOfAFollowedPlanPrintsItsSummary() {
        Result watched = cli("runs", "watch", PLAN);

        assertEquals(0, watched.exit(), watched.stderr());
        assertTrue(watched.stderr().contains("portcullis: plan summary of run " + PLAN + ":\n"
                + "  Plan: 2 to create, 0 to update, 0 to replace, 0 to delete.\n"), watched.stderr());
    }
}
