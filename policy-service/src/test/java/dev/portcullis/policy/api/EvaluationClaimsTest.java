package dev.portcullis.policy.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.runtime.error.FieldViolation;
import dev.portcullis.runtime.error.InvalidRequestException;
import dev.portcullis.runtime.identity.TokenClaims;
import dev.portcullis.v1.EvaluateRequest;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The token claims of an EvaluateRequest, as the policy service's boundary reads and refuses them. */
class EvaluationClaimsTest {
    private static EvaluateRequest.Builder plan() {
        return EvaluateRequest.newBuilder()
                .setCaller("spiffe://example.org/ci/github/acme/infra-live").setRepo("infra-live")
                .setCommitSha("0123456789abcdef0123456789abcdef01234567").setRef("refs/heads/main")
                .setFolder("stage/net").setEnvironment("stage").setCommand("plan");
    }

    private static List<FieldViolation> refused(EvaluateRequest.Builder request) {
        return assertThrows(InvalidRequestException.class, () -> EvaluationRequests.parse(request.build())).violations();
    }

    @Test
    void claimsArriveAsTheRequestsTokenClaims() {
        Map<String, String> claims = Map.of("ref_protected", "true", "job_workflow_ref",
                "acme/deploy/.github/workflows/apply.yml@refs/heads/main", "repository_id", "123");

        TokenClaims parsed = EvaluationRequests.parse(plan().putAllClaims(claims).build()).claims();

        assertEquals(claims, parsed.values());
    }

    @Test
    void noClaimsIsACertificateCaller() {
        assertEquals(TokenClaims.NONE, EvaluationRequests.parse(plan().build()).claims());
    }

    @Test
    void moreThanSixtyFourClaimsAreRefused() {
        Map<String, String> claims = IntStream.range(0, 65).boxed()
                .collect(Collectors.toMap(i -> "claim_" + i, i -> "v"));

        List<FieldViolation> violations = refused(plan().putAllClaims(claims));

        assertEquals(List.of(new FieldViolation("claims", "has 65 entries; at most 64")), violations);
    }

    @Test
    void sixtyFourClaimsOfTheLongestFormAreAccepted() {
        Map<String, String> claims = IntStream.range(0, 64).boxed()
                .collect(Collectors.toMap(i -> "%064d".formatted(i), i -> "x".repeat(512)));

        assertEquals(64, EvaluationRequests.parse(plan().putAllClaims(claims).build()).claims().values().size());
    }

    @Test
    void aBadClaimNameIsRefusedOnceWithoutRepeatingIt() {
        EvaluateRequest.Builder request = plan().putClaims("Environment", "prod").putClaims("job-workflow", "x")
                .putClaims("k".repeat(65), "x").putClaims("", "x").putClaims("ref_protected", "true");

        List<FieldViolation> violations = refused(request);

        assertEquals(List.of(new FieldViolation("claims", "a claim name must be 1-64 characters of a-z, 0-9, '_'")),
                violations);
    }

    @Test
    void anOverlongOrControlCharacterValueIsRefusedUnderItsNameWithoutRepeatingIt() {
        String overlong = "acme/deploy/" + "x".repeat(501);
        EvaluateRequest.Builder request = plan().putClaims("job_workflow_ref", overlong)
                .putClaims("environment", "prod\u001b[31m").putClaims("ref_protected", "true");

        List<FieldViolation> violations = refused(request);

        assertEquals(List.of(
                new FieldViolation("claims.environment", "a claim value must not contain control characters"),
                new FieldViolation("claims.job_workflow_ref", "a claim value must be at most 512 characters")), violations);
        assertFalse(violations.toString().contains("acme/deploy"));
    }

    @Test
    void claimViolationsAreListedWithTheOtherFields() {
        List<FieldViolation> violations = refused(plan().setRef("refs/heads/../main").putClaims("environment", "p\nrod"));

        assertEquals(List.of("ref", "claims.environment"), violations.stream().map(FieldViolation::field).toList());
        assertTrue(violations.get(1).description().contains("control characters"));
    }
}
