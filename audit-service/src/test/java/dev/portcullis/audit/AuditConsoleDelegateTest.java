package dev.portcullis.audit;

import static dev.portcullis.audit.ConsoleDelegate.refusal;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.nimbusds.jwt.JWTClaimsSet;
import dev.portcullis.runtime.oidc.TestIssuer;
import dev.portcullis.runtime.oidc.Tokens;
import dev.portcullis.runtime.testing.ServiceFixture;
import dev.portcullis.runtime.testing.TestChannels;
import dev.portcullis.runtime.testing.TestIdentity;
import dev.portcullis.runtime.testing.TestPki;
import dev.portcullis.v1.AppendRequest;
import dev.portcullis.v1.AppendResponse;
import dev.portcullis.v1.AuditAction;
import dev.portcullis.v1.AuditEvent;
import dev.portcullis.v1.AuditOutcome;
import dev.portcullis.v1.AuditResource;
import dev.portcullis.v1.AuditServiceGrpc;
import dev.portcullis.v1.QueryRequest;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
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
 * Issue 23 in the audit service: an auditor signed in at the web console searches the audit log
 * through the console, which presents its own certificate (a configured delegate) and the auditor's ID
 * token from an in-test human issuer. Only people's tokens, only from the delegate: the delegate alone,
 * a token from anyone else, a CI job's token and a forged token are refused, and recorded in the log.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AuditConsoleDelegateTest {
    private static final String CONSOLE = ConsoleDelegate.IDENTITY;
    private static final String AUDIENCE = "portcullis-console";

    @TempDir
    static Path dir;

    private TestIssuer corp;
    private TestIssuer github;
    private ServiceFixture fixture;

    @BeforeAll
    void start() throws Exception {
        TestPki issuerPki = TestPki.create(Files.createDirectories(dir.resolve("issuer-pki")));
        corp = TestIssuer.start(issuerPki);
        github = TestIssuer.start(issuerPki);
        Map<String, Object> properties = new HashMap<>();
        properties.put("portcullis.oidc.issuers.corp.kind", "human");
        properties.put("portcullis.oidc.issuers.corp.issuer-url", corp.url());
        properties.put("portcullis.oidc.issuers.corp.audience", AUDIENCE);
        properties.put("portcullis.oidc.issuers.corp.ca-file", issuerPki.caFile().toString());
        properties.put("portcullis.oidc.issuers.corp.identity-template", "spiffe://test.example/human/{sub}");
        // configured, yet never trusted by the audit service: it takes no CI job's token
        properties.put("portcullis.oidc.issuers.github.issuer-url", github.url());
        properties.put("portcullis.oidc.issuers.github.audience", TestIssuer.AUDIENCE);
        properties.put("portcullis.oidc.issuers.github.ca-file", issuerPki.caFile().toString());
        properties.put("portcullis.oidc.issuers.github.identity-template", "spiffe://test.example/ci/github/{repository}");
        fixture = ConsoleDelegate.audit(dir, properties);
    }

    @AfterAll
    void stop() {
        if (fixture != null) {
            fixture.close();
        }
        if (corp != null) {
            corp.close();
        }
        if (github != null) {
            github.close();
        }
    }

    @Test
    void anAuditorSearchesTheLogThroughTheConsoleAndFindsTheRefusalsNamingTheDelegate() {
        assertThrows(StatusRuntimeException.class, () -> queryAsConsole(Optional.empty(), QueryRequest.getDefaultInstance()));

        List<AuditEvent> found = awaitFound(auditor(), e -> e.getReason().equals("USER_TOKEN_REQUIRED"));

        assertEquals(CONSOLE, found.get(0).getActor());
    }

    @Test
    void theConsoleWithoutAUserTokenIsDenied() {
        StatusRuntimeException refused = assertThrows(StatusRuntimeException.class,
                () -> queryAsConsole(Optional.empty(), QueryRequest.getDefaultInstance()));

        assertEquals(Status.Code.PERMISSION_DENIED, refused.getStatus().getCode());
        assertEquals("USER_TOKEN_REQUIRED", TestChannels.reason(refused));
    }

    @Test
    void aPersonsTokenFromACertificateThatIsNoDelegateIsDeniedAndRecorded() {
        ManagedChannel channel = TestChannels.mtls(fixture.port(), fixture.credential(TestIdentity.OTHER_SERVICE));
        try {
            StatusRuntimeException refused = assertThrows(StatusRuntimeException.class,
                    () -> drain(stub(channel, Optional.of(auditor())).query(QueryRequest.getDefaultInstance())));

            assertEquals(Status.Code.PERMISSION_DENIED, refused.getStatus().getCode());
            assertEquals("DELEGATE_REQUIRED", TestChannels.reason(refused));
        } finally {
            channel.shutdownNow();
        }
        awaitFound(auditor(), e -> e.getReason().equals("DELEGATE_REQUIRED")
                && e.getActor().equals(TestIdentity.OTHER_SERVICE.id().value()));
    }

    @Test
    void aCiJobsTokenThroughTheConsoleIsRefused() {
        String ciToken = Tokens.sign(Tokens.github(github.url(), Instant.now()), TestIssuer.FIRST_KEY);

        StatusRuntimeException refused = assertThrows(StatusRuntimeException.class,
                () -> queryAsConsole(Optional.of(ciToken), QueryRequest.getDefaultInstance()));

        assertEquals(Status.Code.UNAUTHENTICATED, refused.getStatus().getCode());
        assertEquals("TOKEN_ISSUER", TestChannels.reason(refused));
    }

    @Test
    void aForgedTokenThroughTheConsoleIsRefusedAndRecorded() {
        String jti = UUID.randomUUID().toString();
        String forged = Tokens.signNaming(TestIssuer.FIRST_KEY.getKeyID(), claims("auditor").jwtID(jti), TestIssuer.SECOND_KEY);

        StatusRuntimeException refused = assertThrows(StatusRuntimeException.class,
                () -> queryAsConsole(Optional.of(forged), QueryRequest.getDefaultInstance()));

        assertEquals(Status.Code.UNAUTHENTICATED, refused.getStatus().getCode());
        assertEquals("TOKEN_SIGNATURE", TestChannels.reason(refused));
        awaitFound(auditor(), e -> e.getAttributesOrDefault("unverified_jti", "").equals(jti)
                && e.getReason().equals("TOKEN_SIGNATURE") && e.getActor().equals(CONSOLE));
    }

    @Test
    void aPersonWithoutTheAuditorRoleIsDeniedThroughTheConsole() {
        StatusRuntimeException refused = assertThrows(StatusRuntimeException.class,
                () -> queryAsConsole(Optional.of(sign(claims("approver"))), QueryRequest.getDefaultInstance()));

        assertEquals(Status.Code.PERMISSION_DENIED, refused.getStatus().getCode());
        assertEquals("ROLE_REQUIRED", TestChannels.reason(refused));
    }

    @Test
    void theConsoleAppendsItsOwnRefusalWithItsCertificateAlone() {
        String reason = "CSRF_MISSING_" + UUID.randomUUID().toString().substring(0, 8).toUpperCase();

        AppendResponse appended = appendAsConsole(refusal(AuditAction.AUDIT_ACTION_AUTH_FAILED, reason));

        assertEquals(1, appended.getStored());
        AuditEvent stored = awaitFoundAmong(auditor(), AuditAction.AUDIT_ACTION_AUTH_FAILED, e -> e.getReason().equals(reason)).get(0);
        assertEquals("console", stored.getService());
    }

    @Test
    void theConsoleMayNotAppendAnyOtherActionWithItsCertificateAlone() {
        AuditEvent approval = refusal(AuditAction.AUDIT_ACTION_RUN_APPROVED, "FORGED").toBuilder()
                .setOutcome(AuditOutcome.AUDIT_OUTCOME_SUCCESS).build();

        StatusRuntimeException refused = assertThrows(StatusRuntimeException.class, () -> appendAsConsole(approval));

        assertEquals(Status.Code.PERMISSION_DENIED, refused.getStatus().getCode());
        assertEquals("DELEGATE_EVENT_NOT_ALLOWED", TestChannels.reason(refused));
    }

    @Test
    void theConsoleMayNotNameAnActorInItsOwnRefusal() {
        // the console authenticated no one when it refused: an actor would frame a person (and feed the
        // auth-failure burst alert under their name) from a stolen console certificate
        AuditEvent framing = refusal(AuditAction.AUDIT_ACTION_AUTH_FAILED, "TOKEN_SIGNATURE").toBuilder()
                .setActor("spiffe://test.example/human/admin").build();

        StatusRuntimeException refused = assertThrows(StatusRuntimeException.class, () -> appendAsConsole(framing));

        assertEquals(Status.Code.PERMISSION_DENIED, refused.getStatus().getCode());
        assertEquals("DELEGATE_EVENT_NOT_ALLOWED", TestChannels.reason(refused));
    }

    @Test
    void theConsoleMayNotNameARunInItsOwnRefusal() {
        AuditEvent aboutARun = refusal(AuditAction.AUDIT_ACTION_AUTH_FAILED, "CSRF_MISSING").toBuilder()
                .setResource(AuditResource.newBuilder().setKind("run").setId("r-1").setRunId("r-1").setRepo("acme/infra")).build();

        StatusRuntimeException refused = assertThrows(StatusRuntimeException.class, () -> appendAsConsole(aboutARun));

        assertEquals(Status.Code.PERMISSION_DENIED, refused.getStatus().getCode());
        assertEquals("DELEGATE_EVENT_NOT_ALLOWED", TestChannels.reason(refused));
    }

    @Test
    void anIdentityWithoutTheWriterRightCannotAppendTheConsolesRefusals() {
        ManagedChannel channel = TestChannels.mtls(fixture.port(), fixture.credential(TestIdentity.CI));
        try {
            StatusRuntimeException refused = assertThrows(StatusRuntimeException.class, () -> stub(channel, Optional.empty())
                    .append(AppendRequest.newBuilder().addEvents(refusal(AuditAction.AUDIT_ACTION_AUTH_FAILED, "TOKEN_SIGNATURE")).build()));

            assertEquals(Status.Code.PERMISSION_DENIED, refused.getStatus().getCode());
            assertEquals("ROLE_REQUIRED", TestChannels.reason(refused));
        } finally {
            channel.shutdownNow();
        }
    }

    @Test
    void aServiceCannotAppendInTheConsolesName() {
        ManagedChannel channel = TestChannels.mtls(fixture.port(), fixture.credential(TestIdentity.OTHER_SERVICE));
        try {
            StatusRuntimeException refused = assertThrows(StatusRuntimeException.class, () -> stub(channel, Optional.empty())
                    .append(AppendRequest.newBuilder().addEvents(refusal(AuditAction.AUDIT_ACTION_AUTH_FAILED, "TOKEN_SIGNATURE")).build()));

            assertEquals(Status.Code.INVALID_ARGUMENT, refused.getStatus().getCode());
        } finally {
            channel.shutdownNow();
        }
    }

    private AppendResponse appendAsConsole(AuditEvent event) {
        ManagedChannel channel = ConsoleDelegate.channel(fixture);
        try {
            return stub(channel, Optional.empty()).append(AppendRequest.newBuilder().addEvents(event).build());
        } finally {
            channel.shutdownNow();
        }
    }

    private List<AuditEvent> awaitFoundAmong(String token, AuditAction action, Predicate<AuditEvent> wanted) {
        QueryRequest query = QueryRequest.newBuilder().addActions(action).setLimit(1000).build();
        return Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> queryAsConsole(Optional.of(token), query).stream().filter(wanted).toList(), list -> !list.isEmpty());
    }

    private JWTClaimsSet.Builder claims(String subject) {
        Instant now = Instant.now();
        return new JWTClaimsSet.Builder()
                .issuer(corp.url())
                .audience(AUDIENCE)
                .subject(subject)
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plus(Duration.ofMinutes(10))))
                .claim("auth_time", now.getEpochSecond());
    }

    private String auditor() {
        return sign(claims("auditor"));
    }

    private static String sign(JWTClaimsSet.Builder claims) {
        return Tokens.sign(claims, TestIssuer.FIRST_KEY);
    }

    /** The log's refusals matching {@code wanted}, searched through the console as the auditor until one is found. */
    private List<AuditEvent> awaitFound(String token, Predicate<AuditEvent> wanted) {
        return awaitFoundAmong(token, AuditAction.AUDIT_ACTION_AUTH_FAILED, wanted);
    }

    private List<AuditEvent> queryAsConsole(Optional<String> token, QueryRequest query) {
        ManagedChannel channel = ConsoleDelegate.channel(fixture);
        try {
            return drain(stub(channel, token).query(query));
        } finally {
            channel.shutdownNow();
        }
    }

    private static List<AuditEvent> drain(java.util.Iterator<dev.portcullis.v1.QueryResponse> responses) {
        List<AuditEvent> events = new ArrayList<>();
        responses.forEachRemaining(response -> events.add(response.getEvent().getEvent()));
        return events;
    }

    private static AuditServiceGrpc.AuditServiceBlockingStub stub(ManagedChannel channel, Optional<String> token) {
        AuditServiceGrpc.AuditServiceBlockingStub stub = AuditServiceGrpc.newBlockingStub(channel)
                .withDeadlineAfter(20, TimeUnit.SECONDS);
        return token.isPresent() ? stub.withCallCredentials(TestChannels.bearer(token.get())) : stub;
    }
}
