package dev.portcullis.gateway.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import dev.portcullis.catalog.Catalog;
import dev.portcullis.catalog.CatalogLoader;
import dev.portcullis.catalog.DriftSchedule;
import dev.portcullis.gateway.client.RecordingAuditService;
import dev.portcullis.runtime.identity.IdentityPattern;
import dev.portcullis.runtime.role.Role;
import dev.portcullis.runtime.role.RoleMapping;
import dev.portcullis.runtime.server.ServiceLauncher;
import dev.portcullis.runtime.testing.RecordingAuditRecorder;
import dev.portcullis.runtime.testing.ServiceFixture;
import dev.portcullis.runtime.testing.TestChannels;
import dev.portcullis.runtime.testing.TestIdentity;
import dev.portcullis.runtime.testing.TestPki;
import dev.portcullis.runtime.transport.ServerConfig;
import dev.portcullis.runtime.transport.ServiceServer;
import dev.portcullis.runtime.transport.TlsMaterial;
import dev.portcullis.v1.AuditAction;
import dev.portcullis.v1.AuditEvent;
import dev.portcullis.v1.CheckDriftNowRequest;
import dev.portcullis.v1.CheckDriftNowResponse;
import dev.portcullis.v1.DecisionOutcome;
import dev.portcullis.v1.DriftState;
import dev.portcullis.v1.DriftTargetStatus;
import dev.portcullis.v1.EvaluateRequest;
import dev.portcullis.v1.EvaluateResponse;
import dev.portcullis.v1.ExecutorServiceGrpc;
import dev.portcullis.v1.GatewayServiceGrpc;
import dev.portcullis.v1.GetCatalogRequest;
import dev.portcullis.v1.GetCatalogResponse;
import dev.portcullis.v1.ListDriftTargetsRequest;
import dev.portcullis.v1.ListRunsRequest;
import dev.portcullis.v1.PolicyServiceGrpc;
import dev.portcullis.v1.ResolveRefRequest;
import dev.portcullis.v1.ResolveRefResponse;
import dev.portcullis.v1.Run;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.StreamObserver;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * ListDriftTargets and CheckDriftNow through the gateway as production runs it (Micronaut context,
 * real gRPC over mTLS, H2), with in-test policy (catalog, decisions), executor (ref heads) and
 * audit neighbours over mTLS. The catalog's targets are never due during the test (every 7d, first
 * due hours after first sight), and the drift loop runs once an hour: every check here is one
 * asked for, and none of its results is recorded, so a check stays pending. Each test owns one
 * target (folder prod/NAME).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DriftApiTest {
    private static final String HEAD = "89abcdef0123456789abcdef0123456789abcdef";
    private static final String SCHEDULER = "spiffe://test.example/portcullis/drift-scheduler";
    private static final List<String> FOLDERS = List.of("prod/first", "prod/twice", "prod/audited", "prod/listed");
    private static final String CATALOG = """
            version: 1
            environments:
              prod: {}
            commands:
              plan: { argv: ["terraform", "plan"], produces: plan.tfplan, summary: terraform }
            repos:
              - name: infra
                url: https://github.com/acme/infra.git
                folders: ["prod/**"]
                callers: ["%s"]
                rules:
                  - { commands: [plan], refs: ["refs/heads/*"], environments: [prod] }
                drift:
                  - { folders: [%s], environments: [prod], command: plan, every: 7d, jitter: 3d }
            """.formatted(SCHEDULER, String.join(", ", FOLDERS));

    @TempDir
    static Path dir;

    private TestPki pki;
    private TlsMaterial neighbourTls;
    private ServiceServer neighbours;
    private ServiceLauncher.RunningService gateway;
    private final RecordingAuditService audit = new RecordingAuditService();
    private final List<AuditEvent> audited = audit.events();
    private final List<ManagedChannel> channels = new CopyOnWriteArrayList<>();
    private final Map<TestIdentity, TestPki.Credential> credentials = new ConcurrentHashMap<>();

    @BeforeAll
    void start() throws Exception {
        Catalog catalog = new CatalogLoader().load("catalog.yaml", CATALOG.getBytes(StandardCharsets.UTF_8));
        // the premise of every test: no target falls due while the class runs
        catalog.driftTargets().forEach(target -> assertTrue(
                DriftSchedule.jitterOffset(target).compareTo(Duration.ofHours(1)) > 0, target.folder().value()));
        pki = TestPki.create(Files.createDirectories(dir.resolve("pki")));
        neighbours = startNeighbours();
        Map<String, Object> properties = new HashMap<>(ServiceFixture.roleProperties());
        TestPki.Credential own = pki.issue("gateway-server", TestPki.id("service/gateway"));
        String neighbour = "localhost:" + neighbours.port();
        properties.putAll(Map.of(
                "portcullis.server.port", 0,
                "portcullis.tls.cert-file", own.certFile().toString(),
                "portcullis.tls.key-file", own.keyFile().toString(),
                "portcullis.tls.ca-file", own.caFile().toString(),
                "portcullis.gateway.policy-address", neighbour,
                "portcullis.gateway.executor-address", neighbour,
                "portcullis.gateway.audit-address", neighbour,
                "portcullis.gateway.store.data-dir", dir.resolve("gateway").toString(),
                "portcullis.audit-client.address", neighbour));
        properties.put("portcullis.gateway.drift.interval", "1h");
        gateway = ServiceLauncher.start("gateway", properties, false);
    }

    @AfterAll
    void stop() {
        channels.forEach(ManagedChannel::shutdownNow);
        if (gateway != null) {
            gateway.close();
        }
        if (neighbours != null) {
            neighbours.close();
            neighbourTls.close();
        }
    }

    @Test
    void checkingNowSubmitsOneDriftPlanRunOfTheRefsHeadUnderTheSchedulerIdentity() {
        CheckDriftNowResponse reply = checkNow(TestIdentity.ADMIN, "prod/first");

        assertFalse(reply.getAlreadyPending());
        Run run = reply.getRun();
        assertTrue(run.getDrift());
        assertEquals(SCHEDULER, run.getRequester());
        assertEquals(HEAD, run.getSpec().getCommitSha());
        assertEquals("refs/heads/main", run.getSpec().getRef());
        assertEquals("plan", run.getSpec().getCommand());
        assertEquals(List.of(run.getRunId()), driftRunsOf("prod/first"));
    }

    @Test
    void askingAgainWhileTheCheckIsPendingReturnsThePendingRunAndSubmitsNone() {
        CheckDriftNowResponse first = checkNow(TestIdentity.ADMIN, "prod/twice");

        CheckDriftNowResponse second = checkNow(TestIdentity.ADMIN, "prod/twice");

        assertTrue(second.getAlreadyPending());
        assertEquals(first.getRun().getRunId(), second.getRun().getRunId());
        assertEquals(List.of(first.getRun().getRunId()), driftRunsOf("prod/twice"));
    }

    @Test
    void checkingNowIsRefusedToEveryRoleButAdmin() {
        for (TestIdentity caller : List.of(TestIdentity.CI, TestIdentity.APPROVER, TestIdentity.AUDITOR)) {
            StatusRuntimeException refused = assertThrows(StatusRuntimeException.class,
                    () -> checkNow(caller, "prod/first"));

            assertEquals(Status.Code.PERMISSION_DENIED, refused.getStatus().getCode(), caller.name());
            assertEquals("ROLE_REQUIRED", errorInfo(refused).getReason(), caller.name());
        }
    }

    @Test
    void checkingNowATargetOfARepoTheCatalogLacksIsNotFound() {
        StatusRuntimeException refused = assertThrows(StatusRuntimeException.class, () -> check(TestIdentity.ADMIN,
                CheckDriftNowRequest.newBuilder().setRepo("elsewhere").setFolder("prod/first").setEnvironment("prod").build()));

        assertEquals(Status.Code.NOT_FOUND, refused.getStatus().getCode());
        ErrorInfo info = errorInfo(refused);
        assertEquals("DRIFT_TARGET_NOT_FOUND", info.getReason());
        assertEquals("portcullis", info.getDomain());
        assertEquals("elsewhere", info.getMetadataOrThrow("repo"));
    }

    @Test
    void checkingNowAFolderNoDriftCheckListsIsAFailedPrecondition() {
        StatusRuntimeException refused = assertThrows(StatusRuntimeException.class,
                () -> checkNow(TestIdentity.ADMIN, "prod/unscheduled"));

        assertEquals(Status.Code.FAILED_PRECONDITION, refused.getStatus().getCode());
        ErrorInfo info = errorInfo(refused);
        assertEquals("DRIFT_NOT_SCHEDULED", info.getReason());
        assertEquals("prod/unscheduled", info.getMetadataOrThrow("folder"));
        assertEquals(List.of(), driftRunsOf("prod/unscheduled"));
    }

    @Test
    void aMalformedTargetIsAnInvalidArgumentNamingEveryBadField() throws InvalidProtocolBufferException {
        StatusRuntimeException refused = assertThrows(StatusRuntimeException.class, () -> check(TestIdentity.ADMIN,
                CheckDriftNowRequest.newBuilder().setRepo("Not A Name").setFolder("../up").setEnvironment("prod").build()));

        assertEquals(Status.Code.INVALID_ARGUMENT, refused.getStatus().getCode());
        BadRequest bad = StatusProto.fromThrowable(refused).getDetailsList().stream().filter(d -> d.is(BadRequest.class))
                .findFirst().orElseThrow().unpack(BadRequest.class);
        assertEquals(List.of("repo", "folder"), bad.getFieldViolationsList().stream()
                .map(BadRequest.FieldViolation::getField).toList());
    }

    @Test
    void aCheckAskedForNowIsAuditedNamingTheAdminWhoAsked() {
        String run = checkNow(TestIdentity.ADMIN, "prod/audited").getRun().getRunId();

        AuditEvent asked = Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                .until(() -> audited.stream().filter(e -> e.getAction() == AuditAction.AUDIT_ACTION_DRIFT_CHECK_REQUESTED
                        && e.getResource().getRunId().equals(run)).findFirst(), Optional::isPresent).orElseThrow();
        assertEquals(TestIdentity.ADMIN.id().value(), asked.getActor());
        assertEquals("infra:prod/audited:prod", asked.getResource().getId());
        assertEquals("false", asked.getAttributesOrThrow("already_pending"));
    }

    @Test
    void anAuditorListsEveryTargetWithItsStateAndTheCheckPending() {
        String run = checkNow(TestIdentity.ADMIN, "prod/listed").getRun().getRunId();

        List<DriftTargetStatus> targets = GatewayServiceGrpc.newBlockingStub(channel(TestIdentity.AUDITOR))
                .withDeadlineAfter(20, TimeUnit.SECONDS).listDriftTargets(ListDriftTargetsRequest.getDefaultInstance())
                .getTargetsList();

        assertEquals(FOLDERS.stream().sorted().toList(), targets.stream().map(DriftTargetStatus::getFolder).toList());
        DriftTargetStatus listed = targets.stream().filter(t -> t.getFolder().equals("prod/listed")).findFirst().orElseThrow();
        assertEquals("infra", listed.getRepo());
        assertEquals("prod", listed.getEnvironment());
        assertEquals(DriftState.DRIFT_STATE_UNKNOWN, listed.getState());
        assertTrue(listed.getCheckPending());
        assertEquals(run, listed.getLastRunId());
        assertEquals("", listed.getResultRunId());
        assertFalse(listed.hasPlanCounts());
        assertFalse(listed.hasLastCheckedAt());
        assertTrue(listed.hasLastCheckStartedAt());
    }

    private CheckDriftNowResponse checkNow(TestIdentity caller, String folder) {
        return check(caller, CheckDriftNowRequest.newBuilder().setRepo("infra").setFolder(folder).setEnvironment("prod")
                .build());
    }

    private CheckDriftNowResponse check(TestIdentity caller, CheckDriftNowRequest request) {
        return GatewayServiceGrpc.newBlockingStub(channel(caller)).withDeadlineAfter(30, TimeUnit.SECONDS)
                .checkDriftNow(request);
    }

    /** The ids of the drift runs of {@code folder}, as an auditor lists them. */
    private List<String> driftRunsOf(String folder) {
        return GatewayServiceGrpc.newBlockingStub(channel(TestIdentity.AUDITOR)).withDeadlineAfter(20, TimeUnit.SECONDS)
                .listRuns(ListRunsRequest.newBuilder().setDrift(true).setPageSize(500).build()).getRunsList().stream()
                .filter(run -> run.getSpec().getFolder().equals(folder)).map(Run::getRunId).toList();
    }

    private ManagedChannel channel(TestIdentity identity) {
        ManagedChannel channel = TestChannels.mtls(gateway.port(), credentials.computeIfAbsent(identity,
                id -> pki.issue(id.fileName(), id.id())));
        channels.add(channel);
        return channel;
    }

    private static ErrorInfo errorInfo(StatusRuntimeException refused) {
        try {
            return StatusProto.fromThrowable(refused).getDetailsList().stream().filter(d -> d.is(ErrorInfo.class))
                    .findFirst().orElseThrow().unpack(ErrorInfo.class);
        } catch (InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
    }

    /** The gateway's policy (the catalog, every plan allowed), executor (refs resolve to HEAD) and audit neighbours. */
    private ServiceServer startNeighbours() throws Exception {
        neighbourTls = TlsMaterial.load(pki.tlsConfig(pki.issue("neighbours", TestPki.id("service/neighbours")),
                Duration.ofMinutes(5)));
        String version = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(CATALOG.getBytes(StandardCharsets.UTF_8)));
        IdentityPattern gatewayOnly = new IdentityPattern("spiffe://test.example/service/gateway");
        ServiceServer server = new ServiceServer("neighbours", new ServerConfig("127.0.0.1", 0, 4 << 20, Duration.ofSeconds(5),
                Duration.ZERO), neighbourTls, new RoleMapping(Map.of(Role.GATEWAY, List.of(gatewayOnly),
                        Role.SERVICE, List.of(gatewayOnly))), List.of(new PolicyServiceGrpc.PolicyServiceImplBase() {
                            @Override
                            public void getCatalog(GetCatalogRequest request, StreamObserver<GetCatalogResponse> response) {
                                response.onNext(GetCatalogResponse.newBuilder().setVersion(version).setContent(CATALOG).build());
                                response.onCompleted();
                            }

                            @Override
                            public void evaluate(EvaluateRequest request, StreamObserver<EvaluateResponse> response) {
                                response.onNext(EvaluateResponse.newBuilder().setDecision(dev.portcullis.v1.Decision.newBuilder()
                                        .setOutcome(DecisionOutcome.DECISION_OUTCOME_ALLOW).setCatalogVersion(version)
                                        .setRepoUrl("https://github.com/acme/infra.git")
                                        .addAllArgv(List.of("terraform", "plan"))).build());
                                response.onCompleted();
                            }
                        }, new ExecutorServiceGrpc.ExecutorServiceImplBase() {
                            @Override
                            public void resolveRef(ResolveRefRequest request, StreamObserver<ResolveRefResponse> response) {
                                response.onNext(ResolveRefResponse.newBuilder().setCommitSha(HEAD).build());
                                response.onCompleted();
                            }
                        }, audit), new RecordingAuditRecorder(), Clock.systemUTC());
        server.start();
        return server;
    }
}
