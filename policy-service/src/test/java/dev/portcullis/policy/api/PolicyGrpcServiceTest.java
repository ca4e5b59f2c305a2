package dev.portcullis.policy.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import dev.portcullis.catalog.CatalogLoader;
import dev.portcullis.catalog.ExampleCatalog;
import dev.portcullis.runtime.testing.ServiceFixture;
import dev.portcullis.runtime.testing.TestChannels;
import dev.portcullis.runtime.testing.TestIdentity;
import dev.portcullis.v1.DecisionOutcome;
import dev.portcullis.v1.EvaluateRequest;
import dev.portcullis.v1.EvaluateResponse;
import dev.portcullis.v1.GetCatalogRequest;
import dev.portcullis.v1.GetCatalogResponse;
import dev.portcullis.v1.PolicyServiceGrpc;
import dev.portcullis.v1.ValidateCatalogRequest;
import dev.portcullis.v1.ValidateCatalogResponse;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** The policy service over real mTLS, called as the gateway. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PolicyGrpcServiceTest {
    @TempDir
    static Path dir;

    private ServiceFixture fixture;
    private ManagedChannel channel;
    private PolicyServiceGrpc.PolicyServiceBlockingStub policy;

    @BeforeAll
    void start() {
        fixture = ServiceFixture.start("policy", dir, Map.of("portcullis.policy.catalog-file", ExampleCatalog.FILE.toString()));
        channel = TestChannels.mtls(fixture.port(), fixture.credential(TestIdentity.GATEWAY));
        policy = PolicyServiceGrpc.newBlockingStub(channel);
    }

    @AfterAll
    void stop() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        fixture.close();
    }

    private PolicyServiceGrpc.PolicyServiceBlockingStub stub() {
        return policy.withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    private static EvaluateRequest.Builder planRequest() {
        return EvaluateRequest.newBuilder()
                .setCaller("spiffe://example.org/ci/github/acme/infra-live")
                .setRepo("infra-live")
                .setCommitSha("0123456789abcdef0123456789abcdef01234567")
                .setRef("refs/heads/main")
                .setFolder("./stage//net/")
                .setEnvironment("stage")
                .setCommand("plan");
    }

    @Test
    void anAllowedPlanComesBackWithItsRuleStepsAndCatalogVersion() {
        EvaluateResponse response = stub().evaluate(planRequest().build());

        assertEquals(DecisionOutcome.DECISION_OUTCOME_ALLOW, response.getDecision().getOutcome());
        assertEquals("infra-live", response.getDecision().getMatchedRule().getRepo());
        assertEquals(ExampleCatalog.load().version().value(), response.getDecision().getCatalogVersion());
        assertEquals("plan.tfplan", response.getDecision().getProducesArtifact());
        assertTrue(response.getDecision().getSteps(1).getArgvList().contains("-var=environment=stage"));
        assertTrue(response.getDecision().getSteps(1).getDetailedExitcode());
    }

    @Test
    void aDenialIsAnAnswerWithEveryReasonNotAnError() {
        EvaluateResponse response = stub().evaluate(planRequest().setRepo("unknown-repo").setCommand("destroy").build());

        assertEquals(DecisionOutcome.DECISION_OUTCOME_DENY, response.getDecision().getOutcome());
        assertEquals(List.of("UNKNOWN_REPO", "UNKNOWN_COMMAND"),
                response.getDecision().getReasonsList().stream().map(r -> r.getCode()).toList());
    }

    @Test
    void malformedFieldsAreInvalidArgumentListingEveryViolation() {
        EvaluateRequest hostile = planRequest()
                .setCommitSha("0123456789ABCDEF0123456789abcdef01234567")
                .setRef("refs/heads/../main")
                .setFolder("stage/../../etc")
                .build();

        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> stub().evaluate(hostile));

        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
        com.google.rpc.Status status = StatusProto.fromThrowable(e);
        BadRequest badRequest = unpack(status, BadRequest.class);
        assertEquals(List.of("commit_sha", "ref", "folder"),
                badRequest.getFieldViolationsList().stream().map(BadRequest.FieldViolation::getField).toList());
        assertEquals("INVALID_REQUEST", unpack(status, ErrorInfo.class).getReason());
    }

    @Test
    void oversizedTokenClaimsAreInvalidArgumentNamingTheClaimButNotItsValue() {
        EvaluateRequest hostile = planRequest().putClaims("job_workflow_ref", "acme/" + "x".repeat(600)).build();

        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> stub().evaluate(hostile));

        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
        BadRequest badRequest = unpack(StatusProto.fromThrowable(e), BadRequest.class);
        assertEquals(List.of("claims.job_workflow_ref"),
                badRequest.getFieldViolationsList().stream().map(BadRequest.FieldViolation::getField).toList());
        assertFalse(e.getStatus().toString().contains("acme/"));
    }

    @Test
    void getCatalogReturnsTheVersionInForce() {
        GetCatalogResponse response = stub().getCatalog(GetCatalogRequest.getDefaultInstance());

        assertEquals(ExampleCatalog.load().version().value(), response.getVersion());
        assertEquals(ExampleCatalog.text(), response.getContent());
        assertTrue(response.getLoadedAt().getSeconds() > 0);
    }

    @Test
    void validateCatalogListsProblemsWithoutApplyingThem() {
        String bad = ExampleCatalog.text().replace("approvals: 1", "approvals: lots");

        ValidateCatalogResponse response = stub().validateCatalog(ValidateCatalogRequest.newBuilder().setContent(bad).build());

        assertFalse(response.getValid());
        assertEquals("environments.prod.approvals", response.getProblems(0).getField());
        assertTrue(response.getProblems(0).getLine() > 0);
        assertEquals(CatalogLoader.digest(bad.getBytes(StandardCharsets.UTF_8)).value(), response.getVersion());
        assertEquals(ExampleCatalog.load().version().value(),
                stub().getCatalog(GetCatalogRequest.getDefaultInstance()).getVersion());
    }

    @Test
    void aCandidateOverOneMebibyteIsResourceExhausted() {
        String huge = "#".repeat(CatalogLoader.MAX_BYTES + 1);

        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> stub().validateCatalog(ValidateCatalogRequest.newBuilder().setContent(huge).build()));

        assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.getStatus().getCode());
    }

    private static <T extends com.google.protobuf.Message> T unpack(com.google.rpc.Status status, Class<T> type) {
        return status.getDetailsList().stream().filter(any -> any.is(type)).findFirst().map(any -> {
            try {
                return any.unpack(type);
            } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                throw new AssertionError(e);
            }
        }).orElseThrow(() -> new AssertionError("no " + type.getSimpleName() + " in " + status));
    }
}
