package dev.portcullis.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import com.nimbusds.jwt.JWTClaimsSet;
import dev.portcullis.catalog.condition.CelCondition;
import dev.portcullis.catalog.condition.ConditionInput;
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
import dev.portcullis.v1.AuditAction;
import dev.portcullis.v1.AuditEvent;
import dev.portcullis.v1.DecisionOutcome;
import dev.portcullis.v1.DecisionReason;
import dev.portcullis.v1.EvaluateRequest;
import dev.portcullis.v1.EvaluateResponse;
import dev.portcullis.v1.GatewayServiceGrpc;
import dev.portcullis.v1.PolicyServiceGrpc;
import dev.portcullis.v1.RunSpec;
import dev.portcullis.v1.RunState;
import dev.portcullis.v1.SubmitRunRequest;
import dev.portcullis.v1.SubmitRunResponse;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Issue 17 in the gateway: with an OIDC issuer configured, a CI job without a client certificate
 * authenticates with its identity token as {@code authorization: Bearer}, over server-authenticated
 * TLS, verified against an in-test issuer on loopback, and may submit only the commit and ref the
 * token was issued for. The gateway runs as in production (Micronaut context, real gRPC over TLS),
 * with an in-test policy and audit service over mTLS as its neighbours.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GatewayTokenAuthTest {
    private static final String MAIN = "refs/heads/main";
    private static final String OTHER_SHA = "fedcba9876543210fedcba9876543210fedcba98";
    private static final CelCondition PROD_CONDITION = CelCondition.compile("request.claims.ref_protected == \"true\"");

    @TempDir
    static Path dir;

    private TestPki pki;
    private TestIssuer issuer;
    private String downIssuerUrl;
    private TlsMaterial neighbourTls;
    private ServiceServer neighbours;
    private ServiceLauncher.RunningService gateway;
    private final RecordingAuditService audit = new RecordingAuditService();
    private final List<AuditEvent> audited = audit.events();
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private final List<String> tokensSent = new CopyOnWriteArrayList<>();
    /** Every question the gateway asked its policy neighbour. */
    private final List<EvaluateRequest> evaluated = new CopyOnWriteArrayList<>();
    private Level portcullisLevel;

    @BeforeAll
    void start() throws Exception {
        captureAllLogs();
        pki = TestPki.create(Files.createDirectories(dir.resolve("pki")));
        TestPki issuerPki = TestPki.create(Files.createDirectories(dir.resolve("issuer-pki")));
        issuer = TestIssuer.start(issuerPki);
        TestIssuer down = TestIssuer.start(issuerPki);
        downIssuerUrl = down.url();
        down.close(); // its port now refuses connections: no key set was ever fetched
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
                "portcullis.gateway.executor-address", "localhost:1",
                "portcullis.gateway.audit-address", neighbour,
                "portcullis.gateway.store.data-dir", dir.resolve("gateway").toString(),
                "portcullis.audit-client.address", neighbour));
        properties.putAll(Map.of(
                "portcullis.oidc.issuers.github.issuer-url", issuer.url(),
                "portcullis.oidc.issuers.github.audience", TestIssuer.AUDIENCE,
                "portcullis.oidc.issuers.github.ca-file", issuerPki.caFile().toString(),
                "portcullis.oidc.issuers.github.identity-template", "spiffe://test.example/ci/github/{repository}",
                "portcullis.oidc.issuers.github.required-claims.repository_id", "123",
                "portcullis.oidc.issuers.down.issuer-url", downIssuerUrl,
                "portcullis.oidc.issuers.down.audience", TestIssuer.AUDIENCE,
                "portcullis.oidc.issuers.down.ca-file", issuerPki.caFile().toString(),
                "portcullis.oidc.issuers.down.identity-template", "spiffe://test.example/ci/down/{repository}",
                "portcullis.oidc.issuers.down.fetch-timeout", "1s"));
        properties.put("portcullis.oidc.max-runs-per-token", 2);
        gateway = ServiceLauncher.start("gateway", properties, false);
    }

    @AfterAll
    void stop() {
        try {
            if (gateway != null) {
                gateway.close();
            }
            if (neighbours != null) {
                neighbours.close();
                neighbourTls.close();
            }
            if (issuer != null) {
                issuer.close();
            }
            assertNoTokenLogged();
        } finally {
            releaseLogs();
        }
    }

    @Test
    void validGitHubTokenWithoutClientCertificateSubmitsAPlan() {
        String jobId = UUID.randomUUID().toString();
        String token = token(github().claim("run_id", jobId));

        SubmitRunResponse reply = submit(Optional.of(token), Tokens.SHA, MAIN);

        assertEquals("spiffe://test.example/ci/github/acme/infra-live", reply.getRun().getRequester());
        assertEquals(RunState.RUN_STATE_QUEUED, reply.getRun().getState());
        AuditEvent submitted = awaitAudited(AuditAction.AUDIT_ACTION_RUN_SUBMITTED, reply.getRun().getRunId());
        assertEquals("oidc:github", submitted.getAttributesOrThrow("authentication"));
        assertEquals("spiffe://test.example/ci/github/acme/infra-live", submitted.getActor());
    }

    @Test
    void callWithNeitherClientCertificateNorTokenIsUnauthenticated() {
        StatusRuntimeException refused = assertThrows(StatusRuntimeException.class,
                () -> submit(Optional.empty(), Tokens.SHA, MAIN));

        assertEquals(Status.Code.UNAUTHENTICATED, refused.getStatus().getCode());
        assertEquals("NO_CREDENTIALS", TestChannels.reason(refused));
    }

    @Test
    void expiredTokenIsUnauthenticatedAndAuditedWithItsUnverifiedClaims() {
        String jti = UUID.randomUUID().toString();
        String token = token(Tokens.github(issuer.url(), Instant.now().minus(Duration.ofMinutes(30))).jwtID(jti));

        StatusRuntimeException refused = assertThrows(StatusRuntimeException.class,
                () -> submit(Optional.of(token), Tokens.SHA, MAIN));

        assertEquals(Status.Code.UNAUTHENTICATED, refused.getStatus().getCode());
        assertEquals("TOKEN_EXPIRED", TestChannels.reason(refused));
        AuditEvent failed = awaitAuthFailure(jti);
        assertEquals("TOKEN_EXPIRED", failed.getReason());
        assertEquals("", failed.getActor());
        assertEquals("false", failed.getAttributesOrThrow("verified"));
        assertEquals("acme/infra-live", failed.getAttributesOrThrow("unverified_repository"));
        assertFalse(failed.toString().contains(token));
    }

    @Test
    void tokenForAnotherAudienceIsUnauthenticated() {
        String jti = UUID.randomUUID().toString();
        String token = token(github().audience("https://someone-else.example.org").jwtID(jti));

        StatusRuntimeException refused = assertThrows(StatusRuntimeException.class,
                () -> submit(Optional.of(token), Tokens.SHA, MAIN));

        assertEquals(Status.Code.UNAUTHENTICATED, refused.getStatus().getCode());
        assertEquals("TOKEN_AUDIENCE", TestChannels.reason(refused));
        assertEquals("TOKEN_AUDIENCE", awaitAuthFailure(jti).getReason());
    }

    @Test
    void tokenOfAnUnreachableIssuerIsUnavailable() {
        String jti = UUID.randomUUID().toString();
        String token = token(Tokens.github(downIssuerUrl, Instant.now()).jwtID(jti));

        StatusRuntimeException refused = assertThrows(StatusRuntimeException.class,
                () -> submit(Optional.of(token), Tokens.SHA, MAIN));

        assertEquals(Status.Code.UNAVAILABLE, refused.getStatus().getCode());
        assertEquals("TOKEN_ISSUER_UNAVAILABLE", TestChannels.reason(refused));
        assertEquals("TOKEN_ISSUER_UNAVAILABLE", awaitAuthFailure(jti).getReason());
    }

    @Test
    void commitOtherThanTheTokensIsDeniedAndAudited() {
        String token = token(github());

        StatusRuntimeException refused = assertThrows(StatusRuntimeException.class,
                () -> submit(Optional.of(token), OTHER_SHA, MAIN));

        assertEquals(Status.Code.PERMISSION_DENIED, refused.getStatus().getCode());
        assertEquals("TOKEN_COMMIT_MISMATCH", TestChannels.reason(refused));
        AuditEvent denied = awaitAudited(e -> e.getAction() == AuditAction.AUDIT_ACTION_RUN_SUBMITTED
                && e.getReason().equals("TOKEN_COMMIT_MISMATCH") && e.getAttributesOrDefault("commit_sha", "").equals(OTHER_SHA));
        assertEquals("oidc:github", denied.getAttributesOrThrow("authentication"));
    }

    @Test
    void oneTokenSubmitsNoMoreRunsThanAllowedAndTheRunsSayHowTheyAuthenticated() {
        String token = token(github());
        SubmitRunResponse first = submit(Optional.of(token), Tokens.SHA, MAIN);
        submit(Optional.of(token), Tokens.SHA, MAIN);

        StatusRuntimeException refused = assertThrows(StatusRuntimeException.class,
                () -> submit(Optional.of(token), Tokens.SHA, MAIN));

        assertEquals("oidc:github", first.getRun().getAuthentication());
        assertEquals(Status.Code.PERMISSION_DENIED, refused.getStatus().getCode());
        assertEquals("TOKEN_RUNS_EXHAUSTED", TestChannels.reason(refused));
        AuditEvent denied = awaitAudited(e -> e.getAction() == AuditAction.AUDIT_ACTION_RUN_SUBMITTED
                && e.getReason().equals("TOKEN_RUNS_EXHAUSTED"));
        assertEquals("oidc:github", denied.getAttributesOrThrow("authentication"));
        assertEquals(RunState.RUN_STATE_QUEUED, submit(Optional.of(token(github())), Tokens.SHA, MAIN).getRun().getState());
    }

    @Test
    void refOtherThanTheTokensIsDenied() {
        String token = token(github());

        StatusRuntimeException refused = assertThrows(StatusRuntimeException.class,
                () -> submit(Optional.of(token), Tokens.SHA, "refs/heads/feature"));

        assertEquals(Status.Code.PERMISSION_DENIED, refused.getStatus().getCode());
        assertEquals("TOKEN_COMMIT_MISMATCH", TestChannels.reason(refused));
    }

    @Test
    void clientCertificateAndTokenNamingDifferentIdentitiesAreUnauthenticated() {
        String token = token(github().claim("repository", "acme/other-repo"));
        ManagedChannel channel = TestChannels.mtls(gateway.port(), pki.issue("ci-" + UUID.randomUUID(),
                TestPki.id("ci/github/acme/infra-live")));
        try {
            StatusRuntimeException refused = assertThrows(StatusRuntimeException.class,
                    () -> submitOn(channel, Optional.of(token), Tokens.SHA, MAIN));

            assertEquals(Status.Code.UNAUTHENTICATED, refused.getStatus().getCode());
            assertEquals("IDENTITY_MISMATCH", TestChannels.reason(refused));
        } finally {
            channel.shutdownNow();
        }
    }

    @Test
    void authorizationHeaderThatIsNotABearerTokenIsUnauthenticated() {
        ManagedChannel channel = TestChannels.tlsWithoutClientCertificate(gateway.port(), pki.caFile());
        try {
            StatusRuntimeException refused = assertThrows(StatusRuntimeException.class, () -> GatewayServiceGrpc
                    .newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS)
                    .withCallCredentials(TestChannels.authorization("Basic YWxpY2U6c2VjcmV0"))
                    .submitRun(SubmitRunRequest.getDefaultInstance()));

            assertEquals(Status.Code.UNAUTHENTICATED, refused.getStatus().getCode());
            assertEquals("TOKEN_MALFORMED", TestChannels.reason(refused));
        } finally {
            channel.shutdownNow();
        }
    }

    @Test
    void clientCertificateAndTokenNamingTheSameIdentityAreBoundToTheTokensCommit() {
        String token = token(github());
        ManagedChannel channel = TestChannels.mtls(gateway.port(), pki.issue("ci-" + UUID.randomUUID(),
                TestPki.id("ci/github/acme/infra-live")));
        try {
            StatusRuntimeException refused = assertThrows(StatusRuntimeException.class,
                    () -> submitOn(channel, Optional.of(token), OTHER_SHA, MAIN));

            assertEquals(Status.Code.PERMISSION_DENIED, refused.getStatus().getCode());
            assertEquals("TOKEN_COMMIT_MISMATCH", TestChannels.reason(refused));
        } finally {
            channel.shutdownNow();
        }
    }

    @Test
    void clientCertificateCallersStillSubmitAsBefore() {
        ManagedChannel channel = TestChannels.mtls(gateway.port(), pki.issue("ci-" + UUID.randomUUID(),
                TestPki.id("ci/github/acme/cert-job")));
        try {
            SubmitRunResponse reply = submitOn(channel, Optional.empty(), OTHER_SHA, "refs/heads/feature");

            assertEquals("spiffe://test.example/ci/github/acme/cert-job", reply.getRun().getRequester());
            assertEquals("mtls", reply.getRun().getAuthentication());
            assertEquals("mtls", awaitAudited(AuditAction.AUDIT_ACTION_RUN_SUBMITTED, reply.getRun().getRunId())
                    .getAttributesOrThrow("authentication"));
        } finally {
            channel.shutdownNow();
        }
    }

    @Test
    void aCatalogConditionOnTheTokensClaimsAdmitsATokenWhoseClaimHoldsAndAsksAgainWithItAtDequeue() {
        String jobId = UUID.randomUUID().toString();
        String token = token(github().claim("ref_protected", "true").claim("run_id", jobId));

        SubmitRunResponse reply = submitProd(Optional.of(token));

        assertEquals(RunState.RUN_STATE_QUEUED, reply.getRun().getState(), reply.getRun().getStateReason());
        // the executor is unreachable here, but the gateway asks the policy again before it starts the
        // task: with the claims it recorded at submission, as the token is not sent again
        List<EvaluateRequest> asked = Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                .until(() -> evaluated.stream().filter(r -> jobId.equals(r.getClaimsOrDefault("run_id", ""))).toList(),
                        list -> list.size() >= 2);
        assertTrue(asked.stream().allMatch(r -> r.getClaimsMap().equals(asked.get(0).getClaimsMap())));
        assertEquals("true", asked.get(1).getClaimsOrThrow("ref_protected"));
        assertEquals("acme/infra-live", asked.get(1).getClaimsOrThrow("repository"));
    }

    @Test
    void aCatalogConditionOnTheTokensClaimsDeniesATokenWhoseClaimDiffers() {
        String token = token(github().claim("ref_protected", "false"));

        SubmitRunResponse reply = submitProd(Optional.of(token));

        assertEquals(RunState.RUN_STATE_DENIED, reply.getRun().getState());
        assertTrue(reply.getRun().getStateReason().contains("request.claims.ref_protected == \"true\""),
                reply.getRun().getStateReason());
    }

    @Test
    void aCatalogConditionOnClaimsFailsClosedForAClientCertificateCaller() {
        ManagedChannel channel = TestChannels.mtls(gateway.port(), pki.issue("ci-" + UUID.randomUUID(),
                TestPki.id("ci/github/acme/cert-job")));
        try {
            SubmitRunResponse reply = submitOn(channel, Optional.empty(), Tokens.SHA, MAIN, "prod");

            assertEquals(RunState.RUN_STATE_DENIED, reply.getRun().getState());
            assertTrue(reply.getRun().getStateReason().contains("ATTRIBUTE_NOT_FOUND"), reply.getRun().getStateReason());
        } finally {
            channel.shutdownNow();
        }
    }

    private SubmitRunResponse submitProd(Optional<String> token) {
        ManagedChannel channel = TestChannels.tlsWithoutClientCertificate(gateway.port(), pki.caFile());
        try {
            return submitOn(channel, token, Tokens.SHA, MAIN, "prod");
        } finally {
            channel.shutdownNow();
        }
    }

    private JWTClaimsSet.Builder github() {
        return Tokens.github(issuer.url(), Instant.now());
    }

    private String token(JWTClaimsSet.Builder claims) {
        String token = Tokens.sign(claims, TestIssuer.FIRST_KEY);
        tokensSent.add(token);
        return token;
    }

    private SubmitRunResponse submit(Optional<String> token, String commit, String ref) {
        ManagedChannel channel = TestChannels.tlsWithoutClientCertificate(gateway.port(), pki.caFile());
        try {
            return submitOn(channel, token, commit, ref);
        } finally {
            channel.shutdownNow();
        }
    }

    private static SubmitRunResponse submitOn(ManagedChannel channel, Optional<String> token, String commit, String ref) {
        return submitOn(channel, token, commit, ref, "stage");
    }

    /** A plan of the folder {@code ENVIRONMENT/app} in {@code environment}. */
    private static SubmitRunResponse submitOn(ManagedChannel channel, Optional<String> token, String commit, String ref,
            String environment) {
        GatewayServiceGrpc.GatewayServiceBlockingStub stub = GatewayServiceGrpc.newBlockingStub(channel)
                .withDeadlineAfter(20, TimeUnit.SECONDS);
        if (token.isPresent()) {
            stub = stub.withCallCredentials(TestChannels.bearer(token.get()));
        }
        return stub.submitRun(SubmitRunRequest.newBuilder()
                .setSpec(RunSpec.newBuilder().setRepo("infra-live").setCommitSha(commit).setRef(ref)
                        .setFolder(environment + "/app").setEnvironment(environment).setCommand("plan"))
                .setRequestKey("job-" + UUID.randomUUID())
                .build());
    }

    /** What a gRPC client library sends for a bearer token: one authorization header per call. */

    private AuditEvent awaitAuthFailure(String jti) {
        return awaitAudited(e -> e.getAction() == AuditAction.AUDIT_ACTION_AUTH_FAILED
                && e.getAttributesOrDefault("unverified_jti", "").equals(jti));
    }

    private AuditEvent awaitAudited(AuditAction action, String runId) {
        return awaitAudited(e -> e.getAction() == action && e.getResource().getRunId().equals(runId));
    }

    private AuditEvent awaitAudited(java.util.function.Predicate<AuditEvent> wanted) {
        return Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                .until(() -> audited.stream().filter(wanted).findFirst(), Optional::isPresent).orElseThrow();
    }

    /**
     * The neighbour's catalog, in short: every plan is allowed, in prod only by a rule whose
     * {@code when} is {@link #PROD_CONDITION}, evaluated by the catalog's own {@link CelCondition}
     * on the claims the gateway sent (the policy service's reading of them has its own tests).
     */
    private static dev.portcullis.v1.Decision decide(EvaluateRequest request) {
        dev.portcullis.v1.Decision.Builder decision = dev.portcullis.v1.Decision.newBuilder().setCatalogVersion("a".repeat(64));
        if (request.getEnvironment().equals("prod")) {
            CelCondition.Result result = PROD_CONDITION.evaluate(new ConditionInput(request.getCaller(), request.getRepo(),
                    request.getCommitSha(), request.getRef(), request.getFolder(), request.getEnvironment(),
                    request.getCommand(), request.getBreakGlass(), Instant.now(), request.getClaimsMap()));
            if (!result.satisfied()) {
                return decision.setOutcome(DecisionOutcome.DECISION_OUTCOME_DENY).addReasons(DecisionReason.newBuilder()
                        .setCode("CONDITION_NOT_MET").setMessage("rule 0 requires " + PROD_CONDITION.expression()
                                + result.error().map(error -> " (could not be evaluated: " + error + ")").orElse("")))
                        .build();
            }
        }
        return decision.setOutcome(DecisionOutcome.DECISION_OUTCOME_ALLOW).setRepoUrl("file:///repo")
                .addAllArgv(List.of("terraform", "plan")).build();
    }

    /** The gateway's policy ({@link #decide}) and audit (keeps every event) neighbours, over mTLS. */
    private ServiceServer startNeighbours() {
        neighbourTls = TlsMaterial.load(pki.tlsConfig(pki.issue("neighbours", TestPki.id("service/neighbours")),
                Duration.ofMinutes(5)));
        IdentityPattern gatewayOnly = new IdentityPattern("spiffe://test.example/service/gateway");
        ServiceServer server = new ServiceServer("neighbours", new ServerConfig("127.0.0.1", 0, 4 << 20, Duration.ofSeconds(5),
                Duration.ZERO), neighbourTls, new RoleMapping(Map.of(Role.GATEWAY, List.of(gatewayOnly),
                        Role.SERVICE, List.of(gatewayOnly))), List.of(new PolicyServiceGrpc.PolicyServiceImplBase() {
                            @Override
                            public void evaluate(EvaluateRequest request, StreamObserver<EvaluateResponse> response) {
                                evaluated.add(request);
                                response.onNext(EvaluateResponse.newBuilder().setDecision(decide(request)).build());
                                response.onCompleted();
                            }
                        }, audit), new RecordingAuditRecorder(), Clock.systemUTC());
        server.start();
        return server;
    }

    /** Every log line of every logger while the class runs, DEBUG included, to look for tokens in. */
    private void captureAllLogs() {
        synchronized (LoggerFactory.class) {
            LoggerFactory.getILoggerFactory();
        }
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        Logger portcullis = (Logger) LoggerFactory.getLogger("dev.portcullis");
        portcullisLevel = portcullis.getLevel();
        portcullis.setLevel(Level.DEBUG);
        logs.start();
        root.addAppender(logs);
    }

    private void releaseLogs() {
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(logs);
        ((Logger) LoggerFactory.getLogger("dev.portcullis")).setLevel(portcullisLevel);
        logs.stop();
    }

    private void assertNoTokenLogged() {
        List<String> lines = new ArrayList<>();
        synchronized (logs) {
            for (ILoggingEvent event : logs.list) {
                StringBuilder line = new StringBuilder(event.getFormattedMessage());
                if (event.getKeyValuePairs() != null) {
                    event.getKeyValuePairs().forEach(kv -> line.append(' ').append(kv.key).append('=').append(kv.value));
                }
                for (IThrowableProxy t = event.getThrowableProxy(); t != null; t = t.getCause()) {
                    line.append(' ').append(t.getMessage());
                }
                lines.add(line.toString());
            }
        }
        assertFalse(lines.isEmpty(), "the gateway's log lines were captured");
        for (String token : tokensSent) {
            String signature = token.substring(token.lastIndexOf('.') + 1);
            for (String line : lines) {
                assertFalse(line.contains(signature), () -> "a log line holds a token: " + line.substring(0, 80));
            }
        }
    }
}
