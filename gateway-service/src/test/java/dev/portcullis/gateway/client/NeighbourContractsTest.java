package dev.portcullis.gateway.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.gateway.run.CommandStep;
import dev.portcullis.gateway.run.Decision;
import dev.portcullis.gateway.run.PlanArtifact;
import dev.portcullis.gateway.run.PlanTool;
import dev.portcullis.gateway.run.PolicyCheck;
import dev.portcullis.gateway.run.Runs;
import dev.portcullis.gateway.run.TaskRunner;
import dev.portcullis.runtime.identity.TokenClaims;
import dev.portcullis.runtime.request.RunId;
import dev.portcullis.runtime.request.Sha256Digest;
import dev.portcullis.v1.DecisionOutcome;
import dev.portcullis.v1.EvaluateRequest;
import dev.portcullis.v1.EvaluateResponse;
import dev.portcullis.v1.ExecutorServiceGrpc;
import dev.portcullis.v1.PolicyServiceGrpc;
import dev.portcullis.v1.StartTaskRequest;
import dev.portcullis.v1.StartTaskResponse;
import dev.portcullis.v1.Task;
import dev.portcullis.v1.TaskSpec;
import dev.portcullis.v1.TaskState;
import io.grpc.BindableService;
import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway's side of the issue-16 contracts, over real mTLS on loopback: what the policy
 * client reads from a decision and sends with an apply, and what the executor client puts in a
 * TaskSpec and reads from a Task.
 */
class NeighbourContractsTest {
    private static final PlanArtifact ARTIFACT = new PlanArtifact("file:///plan", new Sha256Digest("c".repeat(64)), 10);

    @TempDir
    Path dir;

    private TestNeighbour neighbour;

    private ManagedChannel serve(BindableService service) {
        neighbour = TestNeighbour.serve(dir, service);
        return neighbour.channel();
    }

    @AfterEach
    void stop() {
        if (neighbour != null) {
            neighbour.close();
        }
    }

    /** A policy service answering {@code decision}, keeping the request it got. */
    private GrpcPolicyCheck policy(dev.portcullis.v1.Decision decision, AtomicReference<EvaluateRequest> asked) {
        return new GrpcPolicyCheck(serve(new PolicyServiceGrpc.PolicyServiceImplBase() {
            @Override
            public void evaluate(EvaluateRequest request, StreamObserver<EvaluateResponse> response) {
                asked.set(request);
                response.onNext(EvaluateResponse.newBuilder().setDecision(decision).build());
                response.onCompleted();
            }
        }), Duration.ofSeconds(10));
    }

    private static dev.portcullis.v1.Decision.Builder allow() {
        return dev.portcullis.v1.Decision.newBuilder().setOutcome(DecisionOutcome.DECISION_OUTCOME_ALLOW)
                .setCatalogVersion("a".repeat(64)).setRepoUrl("file:///repo");
    }

    private static final String DRIFT_CATALOG = """
            version: 1
            environments:
              prod: {}
            commands:
              plan: { argv: ["terraform", "plan"], produces: plan.tfplan, summary: terraform }
            repos:
              - name: infra
                url: https://github.com/acme/infra.git
                folders: ["prod/**"]
                callers: ["spiffe://test.example/portcullis/drift-scheduler"]
                rules:
                  - { commands: [plan], refs: ["refs/heads/*"], environments: [prod] }
                drift: [{ folders: [prod/network], environments: [prod], command: plan, every: 6h }]
            """;

    /** A policy service serving {@code content} as its catalog, counting the calls. */
    private GrpcCatalogSource catalogOf(String content, java.util.concurrent.atomic.AtomicInteger calls) {
        String version = dev.portcullis.catalog.CatalogLoader.digest(content.getBytes(java.nio.charset.StandardCharsets.UTF_8))
                .value();
        return new GrpcCatalogSource(serve(new PolicyServiceGrpc.PolicyServiceImplBase() {
            @Override
            public void getCatalog(dev.portcullis.v1.GetCatalogRequest request,
                    StreamObserver<dev.portcullis.v1.GetCatalogResponse> response) {
                calls.incrementAndGet();
                response.onNext(dev.portcullis.v1.GetCatalogResponse.newBuilder().setVersion(version).setContent(content)
                        .build());
                response.onCompleted();
            }
        }), Duration.ofSeconds(10));
    }

    @Test
    void theCatalogInForceIsReadFromThePolicyServiceWithItsDriftTargets() {
        java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
        GrpcCatalogSource source = catalogOf(DRIFT_CATALOG, calls);

        dev.portcullis.catalog.Catalog first = source.current().orElseThrow();
        dev.portcullis.catalog.Catalog second = source.current().orElseThrow();

        assertEquals(List.of("prod/network"), first.driftTargets().stream().map(t -> t.folder().value()).toList());
        assertTrue(first == second, "a version already read is not parsed again");
        assertEquals(2, calls.get());
    }

    @Test
    void aCatalogThatCannotBeHadIsEmptyNotAnError() {
        GrpcCatalogSource refused = catalogOf("version: 1\nrepos: nonsense\n", new java.util.concurrent.atomic.AtomicInteger());

        assertEquals(Optional.empty(), refused.current());
    }

    @Test
    void theDecisionsStepsEnvironmentTimeoutAndSummaryToolAreRead() {
        dev.portcullis.v1.Decision answer = allow()
                .addSteps(dev.portcullis.v1.CommandStep.newBuilder().addAllArgv(List.of("terraform", "init")))
                .addSteps(dev.portcullis.v1.CommandStep.newBuilder().addAllArgv(List.of("terraform", "plan",
                        "-detailed-exitcode")).setDetailedExitcode(true))
                .putEnv("TF_IN_AUTOMATION", "1")
                .setTimeout(com.google.protobuf.Duration.newBuilder().setSeconds(1200))
                .setPlanSummaryTool(dev.portcullis.v1.PlanTool.PLAN_TOOL_TOFU).build();

        Decision decision = policy(answer, new AtomicReference<>()).evaluate(Runs.CI, Runs.spec("a", "stage", "plan"),
                List.of(), false, TokenClaims.NONE,
                        "0af7651916cd43dd8448eb211c80319c");

        assertEquals(List.of(new CommandStep(List.of("terraform", "init"), false),
                new CommandStep(List.of("terraform", "plan", "-detailed-exitcode"), true)), decision.steps());
        assertEquals(Map.of("TF_IN_AUTOMATION", "1"), decision.env());
        assertEquals(Optional.of(Duration.ofMinutes(20)), decision.timeout());
        assertEquals(PlanTool.TOFU, decision.planSummaryTool());
    }

    @Test
    void aDecisionWithOnlyArgvIsOneStepWithoutOwnTimeout() {
        Decision decision = policy(allow().addAllArgv(List.of("sh", "plan.sh")).build(), new AtomicReference<>())
                .evaluate(Runs.CI, Runs.spec("a", "stage", "plan"), List.of(), false, TokenClaims.NONE,
                        "0af7651916cd43dd8448eb211c80319c");

        assertEquals(List.of(new CommandStep(List.of("sh", "plan.sh"), false)), decision.steps());
        assertEquals(Optional.empty(), decision.timeout());
        assertEquals(PlanTool.NONE, decision.planSummaryTool());
    }

    @Test
    void aTokenCallersClaimsGoAlongAndACertificateCallerSendsNone() {
        AtomicReference<EvaluateRequest> asked = new AtomicReference<>();
        PolicyCheck check = policy(allow().addAllArgv(List.of("sh", "plan.sh")).build(), asked);
        Map<String, String> claims = Map.of("ref_protected", "true", "environment", "stage");

        check.evaluate(Runs.CI, Runs.spec("a", "stage", "plan"), List.of(), false, new TokenClaims(claims),
                "0af7651916cd43dd8448eb211c80319c");
        Map<String, String> sentWithToken = asked.get().getClaimsMap();
        check.evaluate(Runs.CI, Runs.spec("a", "stage", "plan"), List.of(), false, TokenClaims.NONE,
                "0af7651916cd43dd8448eb211c80319c");

        assertEquals(claims, sentWithToken);
        assertEquals(Map.of(), asked.get().getClaimsMap());
    }

    @Test
    void anAppliesPlanBindingCarriesThePlansSummary() {
        AtomicReference<EvaluateRequest> asked = new AtomicReference<>();
        PolicyCheck check = policy(allow().addAllArgv(List.of("sh", "apply.sh")).build(), asked);

        check.evaluate(Runs.CI, Runs.spec("a", "stage", "apply"), List.of(new PolicyCheck.PlanBinding(RunId.random(),
                Runs.spec("a", "stage", "plan").commit(), ARTIFACT.sha256(), List.of(Runs.SUMMARY))), false,
                TokenClaims.NONE, "0af7651916cd43dd8448eb211c80319c");

        dev.portcullis.v1.PlanSummary sent = asked.get().getPlan().getSummary();
        assertEquals(1, sent.getCounts().getCreate());
        assertEquals(1, sent.getCounts().getDelete());
        assertEquals("aws_db_instance.main", sent.getChanges(1).getAddress());
        assertEquals(Runs.SUMMARY, PlanSummaries.fromProto(sent));
    }

    @Test
    void anAppliesPlanBindingWithoutSummarySendsNone() {
        AtomicReference<EvaluateRequest> asked = new AtomicReference<>();
        PolicyCheck check = policy(allow().addAllArgv(List.of("sh", "apply.sh")).build(), asked);

        check.evaluate(Runs.CI, Runs.spec("a", "stage", "apply"), List.of(new PolicyCheck.PlanBinding(RunId.random(),
                Runs.spec("a", "stage", "plan").commit(), ARTIFACT.sha256(), List.of())), false,
                TokenClaims.NONE, "0af7651916cd43dd8448eb211c80319c");

        assertTrue(asked.get().hasPlan());
        assertFalse(asked.get().getPlan().hasSummary());
    }

    /** An executor that keeps the spec it was asked to run and answers {@code task}. */
    private GrpcTaskRunner executor(AtomicReference<TaskSpec> asked, Task task) {
        return new GrpcTaskRunner(serve(new ExecutorServiceGrpc.ExecutorServiceImplBase() {
            @Override
            public void startTask(StartTaskRequest request, StreamObserver<StartTaskResponse> response) {
                asked.set(request.getTask());
                response.onNext(StartTaskResponse.newBuilder().setTask(task).build());
                response.onCompleted();
            }
        }), Duration.ofSeconds(10));
    }

    private static TaskRunner.TaskRequest request(Decision decision, Duration timeout) {
        return new TaskRunner.TaskRequest(RunId.random(), "file:///repo", Runs.spec("a", "stage", "plan").commit(),
                Runs.spec("a", "stage", "plan").folder(), "stage", decision.steps(), decision.env(), List.of(), List.of(),
                decision.producesArtifact(), decision.planSummaryTool(), timeout, "0af7651916cd43dd8448eb211c80319c");
    }

    @Test
    void aTaskOfSeveralStepsIsSentAsStepsWithEnvironmentSummaryToolAndTimeout() {
        AtomicReference<TaskSpec> asked = new AtomicReference<>();

        executor(asked, Task.newBuilder().setState(TaskState.TASK_STATE_RUNNING).build())
                .start(request(Runs.TERRAFORM_PLAN, Duration.ofMinutes(20)));

        TaskSpec spec = asked.get();
        assertEquals(0, spec.getArgvCount(), "exactly one of argv and steps");
        assertEquals(2, spec.getStepsCount());
        assertEquals(List.of("terraform", "init", "-input=false"), spec.getSteps(0).getArgvList());
        assertTrue(spec.getSteps(1).getDetailedExitcode());
        assertEquals(Map.of("TF_IN_AUTOMATION", "1", "TF_INPUT", "0"), spec.getEnvMap());
        assertEquals(dev.portcullis.v1.PlanTool.PLAN_TOOL_TERRAFORM, spec.getPlanSummaryTool());
        assertEquals(1200, spec.getTimeout().getSeconds());
    }

    @Test
    void anExecutorRefusalNamesItsReasonCodeButNeverItsMessage() {
        GrpcTaskRunner refusing = new GrpcTaskRunner(serve(new ExecutorServiceGrpc.ExecutorServiceImplBase() {
            @Override
            public void startTask(StartTaskRequest request, StreamObserver<StartTaskResponse> response) {
                response.onError(io.grpc.protobuf.StatusProto.toStatusRuntimeException(com.google.rpc.Status.newBuilder()
                        .setCode(com.google.rpc.Code.FAILED_PRECONDITION_VALUE).setMessage("journal /var/lib/secret-path unreadable")
                        .addDetails(com.google.protobuf.Any.pack(com.google.rpc.ErrorInfo.newBuilder()
                                .setReason("TASK_JOURNAL_UNREADABLE").setDomain("portcullis").build()))
                        .build()));
            }
        }), Duration.ofSeconds(10));

        dev.portcullis.runtime.error.DomainException refused = org.junit.jupiter.api.Assertions.assertThrows(
                dev.portcullis.runtime.error.DomainException.class, () -> refusing.start(request(Runs.ALLOW, Duration.ofMinutes(10))));

        assertEquals("the executor refused the task (FAILED_PRECONDITION, TASK_JOURNAL_UNREADABLE)", refused.getMessage());
    }

    @Test
    void aTaskOfOnePlainStepIsSentAsArgv() {
        AtomicReference<TaskSpec> asked = new AtomicReference<>();

        executor(asked, Task.newBuilder().setState(TaskState.TASK_STATE_RUNNING).build())
                .start(request(Runs.ALLOW, Duration.ofMinutes(10)));

        assertEquals(List.of("sh", "plan.sh"), asked.get().getArgvList());
        assertEquals(0, asked.get().getStepsCount(), "exactly one of argv and steps");
    }

    @Test
    void aTasksPlanSummaryAndFailedStepAreRead() {
        Task task = Task.newBuilder().setState(TaskState.TASK_STATE_SUCCEEDED)
                .setPlanSummary(PlanSummaries.toProto(Runs.SUMMARY)).setFailedStep(2).build();

        TaskRunner.TaskStatus status = executor(new AtomicReference<>(), task).start(request(Runs.ALLOW, Duration.ofMinutes(1)));

        assertEquals(List.of(Runs.SUMMARY), status.planSummary());
        assertEquals(List.of(2), status.failedStep());
    }

    @Test
    void anOversizedSummaryIsBoundedCountingWhatIsNotListed() {
        dev.portcullis.v1.PlanSummary.Builder big = PlanSummaries.toProto(Runs.SUMMARY).toBuilder().clearChanges();
        for (int i = 0; i < 150; i++) {
            big.addChanges(dev.portcullis.v1.PlanResourceChange.newBuilder().setAddress("terraform_data.r" + i)
                    .setType("terraform_data").addActions("create"));
        }

        var summary = PlanSummaries.fromProto(big.setChangesNotListed(7).build());

        assertEquals(100, summary.changes().size());
        assertEquals(57, summary.changesNotListed());
    }
}
