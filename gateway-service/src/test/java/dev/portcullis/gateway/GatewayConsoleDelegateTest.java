package dev.portcullis.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.rpc.ErrorInfo;
import com.nimbusds.jwt.JWTClaimsSet;
import dev.portcullis.gateway.client.RecordingAuditService;
import dev.portcullis.runtime.identity.IdentityPattern;
import dev.portcullis.runtime.oidc.TestIssuer;
import dev.portcullis.runtime.oidc.Tokens;
import dev.portcullis.runtime.role.Role;
import dev.portcullis.runtime.role.RoleMapping;
import dev.portcullis.runtime.server.ServiceLauncher;
import dev.portcullis.runtime.testing.RecordingAuditRecorder;
import dev.portcullis.runtime.testing.ServiceFixture;
import dev.portcullis.runtime.testing.TestChannels;
import dev.portcullis.runtime.testing.TestPki;
import dev.portcullis.runtime.transport.ServerConfig;
import dev.portcullis.runtime.transport.ServiceServer;
import dev.portcullis.runtime.transport.TlsMaterial;
import dev.portcullis.v1.ApproveRunRequest;
import dev.portcullis.v1.ApproveRunResponse;
import dev.portcullis.v1.AuditAction;
import dev.portcullis.v1.AuditEvent;
import dev.portcullis.v1.AuditOutcome;
import dev.portcullis.v1.DecisionOutcome;
import dev.portcullis.v1.EvaluateRequest;
import dev.portcullis.v1.EvaluateResponse;
import dev.portcullis.v1.GatewayServiceGrpc;
import dev.portcullis.v1.PolicyServiceGrpc;
import dev.portcullis.v1.RejectRunRequest;
import dev.portcullis.v1.Run;
import dev.portcullis.v1.RunSpec;
import dev.portcullis.v1.RunState;
import dev.portcullis.v1.SubmitRunRequest;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.StreamObserver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 23 in the gateway: people signed in at the web console call the gateway through the console,
 * which presents its own certificate ({@code spiffe://test.example/console}, a configured delegate) and
 * the person's ID token from an in-test human issuer. The person is the caller; the delegate's
 * certificate alone, or the person's token alone, is refused; approving needs a recent login with MFA.
 * The gateway runs as in production, with an in-test policy (every run needs one approval) and audit
 * service as its neighbours.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GatewayConsoleDelegateTest {
    private static final String CONSOLE = "spiffe://test.example/console";
    private static final String AUDIENCE = "portcullis-console";
    private static final String VIA_CONSOLE = "oidc:corp via " + CONSOLE;

    @TempDir
    static Path dir;

    private TestPki pki;
    private TestIssuer corp;
    private TestIssuer github;
    private TlsMaterial neighbourTls;
    private ServiceServer neighbours;
    private ServiceLauncher.RunningService gateway;
    private final RecordingAuditService audit = new RecordingAuditService();
    private final List<AuditEvent> audited = audit.events();

    @BeforeAll
    void start() throws Exception {
        pki = TestPki.create(Files.createDirectories(dir.resolve("pki")));
        TestPki issuerPki = TestPki.create(Files.createDirectories(dir.resolve("issuer-pki")));
        corp = TestIssuer.start(issuerPki);
        github = TestIssuer.start(issuerPki);
        neighbours = startNeighbours();

        Map<String, Object> properties = new HashMap<>(ServiceFixture.roleProperties());
        // alice may both submit and approve: the two-person rule must still stop her approving her own run
        properties.put("portcullis.roles.ci", List.of("spiffe://test.example/ci/**", "spiffe://test.example/human/alice"));
        properties.put("portcullis.roles.approver",
                List.of("spiffe://test.example/human/approver", "spiffe://test.example/human/alice"));
        TestPki.Credential own = pki.issue("gateway-server", TestPki.id("service/gateway"));
        String neighbour = "localhost:" + neighbours.port();
        properties.putAll(Map.of(
                "portcullis.server.port", 0,
                "portcullis.tls.cert-file", own.certFile().toString(),
                "portcullis.tls.key-file", own.keyFile().toString(),
                "portcullis.tls.ca-file", own.caFile().toString(),
                "portcullis.gateway.policy-address", neighbour,
                "portcullis.gateway.executor-address", "localhost:1",
                "portcullis.gateway.audit-address", neighbour,
                "portcullis.gateway.store.data-dir", dir.resolve("gateway").toString(),
                "portcullis.audit-client.address", neighbour,
                "portcullis.audit-outbox.spool-dir", dir.resolve("outbox").toString()));
        properties.putAll(Map.of(
                "portcullis.oidc.issuers.corp.kind", "human",
                "portcullis.oidc.issuers.corp.issuer-url", corp.url(),
                "portcullis.oidc.issuers.corp.audience", AUDIENCE,
                "portcullis.oidc.issuers.corp.ca-file", issuerPki.caFile().toString(),
                "portcullis.oidc.issuers.corp.identity-template", "spiffe://test.example/human/{sub}",
                "portcullis.oidc.issuers.corp.approval-required-amr", List.of("mfa"),
                "portcullis.oidc.delegates", List.of(CONSOLE)));
        properties.putAll(Map.of(
                "portcullis.oidc.issuers.github.issuer-url", github.url(),
                "portcullis.oidc.issuers.github.audience", TestIssuer.AUDIENCE,
                "portcullis.oidc.issuers.github.ca-file", issuerPki.caFile().toString(),
                "portcullis.oidc.issuers.github.identity-template", "spiffe://test.example/ci/github/{repository}"));
        gateway = ServiceLauncher.start("gateway", properties, false);
    }

    @AfterAll
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
        if (neighbours != null) {
            neighbours.close();
            neighbourTls.close();
        }
        if (corp != null) {
            corp.close();
        }
        if (github != null) {
            github.close();
        }
    }

    @Test
    void aPersonApprovesAWaitingRunThroughTheConsoleAndTheApprovalNamesThem() {
        Run waiting = submitByCertificate();

        ApproveRunResponse approved = asConsole(channel -> stub(channel, Optional.of(person("approver")))
                .approveRun(ApproveRunRequest.newBuilder().setRunId(waiting.getRunId()).build()));

        assertEquals(RunState.RUN_STATE_QUEUED, approved.getRun().getState());
        assertEquals("spiffe://test.example/human/approver", approved.getRun().getApprovals(0).getApprover());
        AuditEvent event = awaitAudited(e -> e.getAction() == AuditAction.AUDIT_ACTION_RUN_APPROVED
                && e.getResource().getRunId().equals(waiting.getRunId()) && e.getOutcome() == AuditOutcome.AUDIT_OUTCOME_SUCCESS);
        assertEquals("spiffe://test.example/human/approver", event.getActor());
        assertEquals(VIA_CONSOLE, event.getAttributesOrThrow("authentication"));
    }

    @Test
    void theConsoleWithoutAUserTokenIsDeniedAndAudited() {
        Run waiting = submitByCertificate();

        StatusRuntimeException refused = assertThrows(StatusRuntimeException.class, () -> asConsole(channel ->
                stub(channel, Optional.empty()).approveRun(ApproveRunRequest.newBuilder().setRunId(waiting.getRunId()).build())));

        assertEquals(Status.Code.PERMISSION_DENIED, refused.getStatus().getCode());
        assertEquals("USER_TOKEN_REQUIRED", reason(refused));
        awaitAudited(e -> e.getAction() == AuditAction.AUDIT_ACTION_AUTH_FAILED && e.getReason().equals("USER_TOKEN_REQUIRED")
                && e.getActor().equals(CONSOLE) && !e.containsAttributes("token_identity"));
    }

    @Test
    void aPersonsTokenWithoutTheConsolesCertificateIsUnauthenticatedAndAudited() {
        String jti = UUID.randomUUID().toString();
        String token = sign(claims("approver", Instant.now()).jwtID(jti));
        ManagedChannel channel = TestChannels.tlsWithoutClientCertificate(gateway.port(), pki.caFile());
        try {
            StatusRuntimeException refused = assertThrows(StatusRuntimeException.class, () -> stub(channel, Optional.of(token))
                    .approveRun(ApproveRunRequest.newBuilder().setRunId(UUID.randomUUID().toString()).build()));

            assertEquals(Status.Code.UNAUTHENTICATED, refused.getStatus().getCode());
            assertEquals("DELEGATE_REQUIRED", reason(refused));
        } finally {
            channel.shutdownNow();
        }
        awaitAudited(e -> e.getAction() == AuditAction.AUDIT_ACTION_AUTH_FAILED && e.getReason().equals("DELEGATE_REQUIRED")
                && e.getActor().isEmpty()
                && e.getAttributesOrDefault("token_identity", "").equals("spiffe://test.example/human/approver"));
    }

    @Test
    void aCertificateThatIsNoDelegatePresentingAPersonsTokenIsDeniedAndAudited() {
        String token = person("approver");
        String intruder = "spiffe://test.example/service/executor";
        ManagedChannel channel = TestChannels.mtls(gateway.port(), pki.issue("intruder-" + UUID.randomUUID(),
                TestPki.id("service/executor")));
        try {
            StatusRuntimeException refused = assertThrows(StatusRuntimeException.class, () -> stub(channel, Optional.of(token))
                    .approveRun(ApproveRunRequest.newBuilder().setRunId(UUID.randomUUID().toString()).build()));

            assertEquals(Status.Code.PERMISSION_DENIED, refused.getStatus().getCode());
            assertEquals("DELEGATE_REQUIRED", reason(refused));
        } finally {
            channel.shutdownNow();
        }
        awaitAudited(e -> e.getAction() == AuditAction.AUDIT_ACTION_AUTH_FAILED && e.getReason().equals("DELEGATE_REQUIRED")
                && e.getActor().equals(intruder));
    }

    @Test
    void aForgedSignatureIsUnauthenticatedAndAudited() {
        String jti = UUID.randomUUID().toString();
        String forged = Tokens.signNaming(TestIssuer.FIRST_KEY.getKeyID(), claims("approver", Instant.now()).jwtID(jti),
                TestIssuer.SECOND_KEY);

        assertRefusedThroughTheConsole(forged, Status.Code.UNAUTHENTICATED, "TOKEN_SIGNATURE");
        awaitAuthFailure(jti, "TOKEN_SIGNATURE");
    }

    @Test
    void anExpiredTokenIsUnauthenticatedAndAudited() {
        String jti = UUID.randomUUID().toString();
        Instant hourAgo = Instant.now().minus(Duration.ofHours(1));
        String expired = sign(claims("approver", hourAgo).jwtID(jti).issueTime(Date.from(hourAgo))
                .expirationTime(Date.from(hourAgo.plus(Duration.ofMinutes(10)))));

        assertRefusedThroughTheConsole(expired, Status.Code.UNAUTHENTICATED, "TOKEN_EXPIRED");
        awaitAuthFailure(jti, "TOKEN_EXPIRED");
    }

    @Test
    void aTokenForAnotherAudienceIsUnauthenticatedAndAudited() {
        String jti = UUID.randomUUID().toString();
        String other = sign(claims("approver", Instant.now()).jwtID(jti).audience("someone-else"));

        assertRefusedThroughTheConsole(other, Status.Code.UNAUTHENTICATED, "TOKEN_AUDIENCE");
        awaitAuthFailure(jti, "TOKEN_AUDIENCE");
    }

    @Test
    void aCiJobsTokenThroughTheConsoleIsDenied() {
        String ciToken = Tokens.sign(Tokens.github(github.url(), Instant.now()), TestIssuer.FIRST_KEY);

        assertRefusedThroughTheConsole(ciToken, Status.Code.PERMISSION_DENIED, "USER_TOKEN_REQUIRED");
        awaitAudited(e -> e.getAction() == AuditAction.AUDIT_ACTION_AUTH_FAILED && e.getReason().equals("USER_TOKEN_REQUIRED")
                && e.getAttributesOrDefault("token_identity", "").equals("spiffe://test.example/ci/github/acme/infra-live"));
    }

    @Test
    void approvingWithALoginOlderThanTheStepUpAgeIsDeniedAndAudited() {
        Run waiting = submitByCertificate();
        String stale = sign(claims("approver", Instant.now()).claim("auth_time",
                Instant.now().minus(Duration.ofMinutes(16)).getEpochSecond()));

        StatusRuntimeException refused = assertThrows(StatusRuntimeException.class, () -> asConsole(channel ->
                stub(channel, Optional.of(stale)).approveRun(ApproveRunRequest.newBuilder().setRunId(waiting.getRunId()).build())));

        assertEquals(Status.Code.PERMISSION_DENIED, refused.getStatus().getCode());
        assertEquals("LOGIN_TOO_OLD", reason(refused));
        assertEquals("PT15M", errorInfo(refused).getMetadataOrThrow("max_login_age"));
        AuditEvent denied = awaitRefused(AuditAction.AUDIT_ACTION_RUN_APPROVED, waiting.getRunId(), "LOGIN_TOO_OLD");
        assertEquals("spiffe://test.example/human/approver", denied.getActor());
        assertEquals(VIA_CONSOLE, denied.getAttributesOrThrow("authentication"));
    }

    @Test
    void approvingWithATokenThatDoesNotSayWhenThePersonLoggedInIsDenied() {
        Run waiting = submitByCertificate();
        JWTClaimsSet.Builder noAuthTime = claims("approver", Instant.now()).claim("auth_time", null);

        StatusRuntimeException refused = assertThrows(StatusRuntimeException.class, () -> asConsole(channel ->
                stub(channel, Optional.of(sign(noAuthTime)))
                        .approveRun(ApproveRunRequest.newBuilder().setRunId(waiting.getRunId()).build())));

        assertEquals("LOGIN_TOO_OLD", reason(refused));
    }

    @Test
    void approvingWithoutTheRequiredAmrIsDeniedAndAudited() {
        Run waiting = submitByCertificate();
        String passwordOnly = sign(claims("approver", Instant.now()).claim("amr", List.of("pwd")));

        StatusRuntimeException refused = assertThrows(StatusRuntimeException.class, () -> asConsole(channel ->
                stub(channel, Optional.of(passwordOnly))
                        .approveRun(ApproveRunRequest.newBuilder().setRunId(waiting.getRunId()).build())));

        assertEquals(Status.Code.PERMISSION_DENIED, refused.getStatus().getCode());
        assertEquals("MFA_REQUIRED", reason(refused));
        assertEquals("mfa", errorInfo(refused).getMetadataOrThrow("required_amr"));
        awaitRefused(AuditAction.AUDIT_ACTION_RUN_APPROVED, waiting.getRunId(), "MFA_REQUIRED");
    }

    @Test
    void rejectingWithALoginOlderThanTheStepUpAgeIsDeniedAndAudited() {
        Run waiting = submitByCertificate();
        String stale = sign(claims("approver", Instant.now()).claim("auth_time",
                Instant.now().minus(Duration.ofHours(1)).getEpochSecond()));

        StatusRuntimeException refused = assertThrows(StatusRuntimeException.class, () -> asConsole(channel ->
                stub(channel, Optional.of(stale)).rejectRun(RejectRunRequest.newBuilder().setRunId(waiting.getRunId())
                        .setReason("not today").build())));

        assertEquals("LOGIN_TOO_OLD", reason(refused));
        awaitRefused(AuditAction.AUDIT_ACTION_RUN_REJECTED, waiting.getRunId(), "LOGIN_TOO_OLD");
    }

    @Test
    void theRequesterCannotApproveTheirOwnRunThroughTheConsole() {
        String alice = person("alice");
        Run submitted = asConsole(channel -> stub(channel, Optional.of(alice)).submitRun(plan()).getRun());

        StatusRuntimeException refused = assertThrows(StatusRuntimeException.class, () -> asConsole(channel ->
                stub(channel, Optional.of(alice)).approveRun(ApproveRunRequest.newBuilder().setRunId(submitted.getRunId()).build())));

        assertEquals("spiffe://test.example/human/alice", submitted.getRequester());
        assertEquals(VIA_CONSOLE, submitted.getAuthentication());
        assertEquals(RunState.RUN_STATE_AWAITING_APPROVAL, submitted.getState());
        assertEquals("SELF_APPROVAL", reason(refused));
    }

    @Test
    void theTokenIsNeverInTheAuditRecord() {
        String token = person("approver");
        Run waiting = submitByCertificate();

        asConsole(channel -> stub(channel, Optional.of(token))
                .approveRun(ApproveRunRequest.newBuilder().setRunId(waiting.getRunId()).build()));

        AuditEvent event = awaitAudited(e -> e.getAction() == AuditAction.AUDIT_ACTION_RUN_APPROVED
                && e.getResource().getRunId().equals(waiting.getRunId()));
        assertFalse(event.toString().contains(token.substring(token.lastIndexOf('.') + 1)));
    }

    /** A person's ID token as an identity provider issues it at login: logged in now, with a password and a second factor. */
    private JWTClaimsSet.Builder claims(String subject, Instant now) {
        return new JWTClaimsSet.Builder()
                .issuer(corp.url())
                .audience(AUDIENCE)
                .subject(subject)
                .jwtID(UUID.randomUUID().toString())
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plus(Duration.ofMinutes(10))))
                .claim("auth_time", now.getEpochSecond())
                .claim("amr", List.of("pwd", "mfa"))
                .claim("email", subject + "@example.org");
    }

    private String person(String subject) {
        return sign(claims(subject, Instant.now()));
    }

    private static String sign(JWTClaimsSet.Builder claims) {
        return Tokens.sign(claims, TestIssuer.FIRST_KEY);
    }

    private void assertRefusedThroughTheConsole(String token, Status.Code code, String reason) {
        StatusRuntimeException refused = assertThrows(StatusRuntimeException.class, () -> asConsole(channel ->
                stub(channel, Optional.of(token)).approveRun(ApproveRunRequest.newBuilder()
                        .setRunId(UUID.randomUUID().toString()).build())));

        assertEquals(code, refused.getStatus().getCode());
        assertEquals(reason, reason(refused));
    }

    /** A plan run, submitted by a CI job with a client certificate, waiting for one approval. */
    private Run submitByCertificate() {
        ManagedChannel channel = TestChannels.mtls(gateway.port(), pki.issue("ci-" + UUID.randomUUID(),
                TestPki.id("ci/github/acme/infra-live")));
        try {
            Run run = stub(channel, Optional.empty()).submitRun(plan()).getRun();
            assertEquals(RunState.RUN_STATE_AWAITING_APPROVAL, run.getState(), run.getStateReason());
            return run;
        } finally {
            channel.shutdownNow();
        }
    }

    private static SubmitRunRequest plan() {
        return SubmitRunRequest.newBuilder()
                .setSpec(RunSpec.newBuilder().setRepo("infra-live").setCommitSha(Tokens.SHA).setRef("refs/heads/main")
                        .setFolder("stage/app").setEnvironment("stage").setCommand("plan"))
                .setRequestKey("console-" + UUID.randomUUID())
                .build();
    }

    private interface ConsoleCall<T> {
        T on(ManagedChannel channel);
    }

    /** Calls the gateway as the console: over mTLS with the console's certificate, issued by the suite's PKI. */
    private <T> T asConsole(ConsoleCall<T> call) {
        ManagedChannel channel = TestChannels.mtls(gateway.port(), pki.issue("console-" + UUID.randomUUID(),
                TestPki.id("console")));
        try {
            return call.on(channel);
        } finally {
            channel.shutdownNow();
        }
    }

    private static GatewayServiceGrpc.GatewayServiceBlockingStub stub(ManagedChannel channel, Optional<String> token) {
        GatewayServiceGrpc.GatewayServiceBlockingStub stub = GatewayServiceGrpc.newBlockingStub(channel)
                .withDeadlineAfter(20, TimeUnit.SECONDS);
        return token.isPresent() ? stub.withCallCredentials(TestChannels.bearer(token.get())) : stub;
    }

    /** What the console sends with each call: the signed-in person's ID token. */
    private static ErrorInfo errorInfo(StatusRuntimeException refused) {
        com.google.rpc.Status status = StatusProto.fromThrowable(refused);
        try {
            return status.getDetailsList().stream().filter(d -> d.is(ErrorInfo.class)).findFirst().orElseThrow()
                    .unpack(ErrorInfo.class);
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
    }

    private static String reason(StatusRuntimeException refused) {
        return errorInfo(refused).getReason();
    }

    private void awaitAuthFailure(String jti, String reason) {
        AuditEvent failed = awaitAudited(e -> e.getAction() == AuditAction.AUDIT_ACTION_AUTH_FAILED
                && e.getAttributesOrDefault("unverified_jti", "").equals(jti));
        assertEquals(reason, failed.getReason());
        assertEquals(CONSOLE, failed.getActor());
    }

    private AuditEvent awaitRefused(AuditAction action, String runId, String reason) {
        return awaitAudited(e -> e.getAction() == action && e.getResource().getRunId().equals(runId)
                && e.getOutcome() == AuditOutcome.AUDIT_OUTCOME_DENIED && e.getReason().equals(reason));
    }

    private AuditEvent awaitAudited(Predicate<AuditEvent> wanted) {
        return Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                .until(() -> audited.stream().filter(wanted).findFirst(), Optional::isPresent).orElseThrow();
    }

    /** The gateway's policy (every run allowed with one approval) and audit (keeps every event) neighbours. */
    private ServiceServer startNeighbours() {
        neighbourTls = TlsMaterial.load(pki.tlsConfig(pki.issue("neighbours", TestPki.id("service/neighbours")),
                Duration.ofMinutes(5)));
        IdentityPattern gatewayOnly = new IdentityPattern("spiffe://test.example/service/gateway");
        ServiceServer server = new ServiceServer("neighbours", new ServerConfig("127.0.0.1", 0, 4 << 20, Duration.ofSeconds(5),
                Duration.ZERO), neighbourTls, new RoleMapping(Map.of(Role.GATEWAY, List.of(gatewayOnly),
                        Role.SERVICE, List.of(gatewayOnly))), List.of(new PolicyServiceGrpc.PolicyServiceImplBase() {
                            @Override
                            public void evaluate(EvaluateRequest request, StreamObserver<EvaluateResponse> response) {
                                response.onNext(EvaluateResponse.newBuilder().setDecision(dev.portcullis.v1.Decision
                                        .newBuilder().setCatalogVersion("a".repeat(64))
                                        .setOutcome(DecisionOutcome.DECISION_OUTCOME_ALLOW).setRequiredApprovals(1)
                                        .setRepoUrl("file:///repo").addAllArgv(List.of("terraform", "plan"))).build());
                                response.onCompleted();
                            }
                        }, audit), new RecordingAuditRecorder(), Clock.systemUTC());
        server.start();
        return server;
    }
}
