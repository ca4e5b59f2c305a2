package dev.portcullis.runtime.oidc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IdentityTemplateTest {
    private static final IdentityTemplate GITHUB = new IdentityTemplate("spiffe://example.org/ci/github/{repository}");
    private static final IdentityTemplate OWNER_THEN_REPO =
            new IdentityTemplate("spiffe://example.org/ci/{repository_owner}/env/{environment}");

    @Test
    void lastPlaceholderMaySpanPathSegments() {
        Optional<String> identity = GITHUB.render(Map.of("repository", "acme/infra-live")).map(id -> id.value());

        assertEquals(Optional.of("spiffe://example.org/ci/github/acme/infra-live"), identity);
    }

    @Test
    void earlierPlaceholderMustBeOneSegment() {
        Map<String, String> claims = Map.of("repository_owner", "acme/env", "environment", "prod");

        assertEquals(Optional.empty(), OWNER_THEN_REPO.render(claims));
    }

    @Test
    void everyPlaceholderIsFilled() {
        Map<String, String> claims = Map.of("repository_owner", "acme", "environment", "prod");

        assertEquals("spiffe://example.org/ci/acme/env/prod", OWNER_THEN_REPO.render(claims).orElseThrow().value());
    }

    @ParameterizedTest
    @ValueSource(strings = {"acme/..", "acme/.", "../human/alice", "acme//infra", "/acme", "acme/", "acme/infra live",
            "acme/infra?x=1", "acme/infra#x", "acme%2f..", "acme\\infra", "acme/infra\n", "acme/infrä", ""})
    void valueThatIsNotPlainPathSegmentsIsRefused(String repository) {
        assertEquals(Optional.empty(), GITHUB.render(Map.of("repository", repository)));
    }

    @Test
    void valueLongerThanTheBoundIsRefused() {
        String repository = "a".repeat(IdentityTemplate.MAX_VALUE_LENGTH + 1);

        assertEquals(Optional.empty(), GITHUB.render(Map.of("repository", repository)));
    }

    @Test
    void missingClaimGivesNoIdentity() {
        assertEquals(Optional.empty(), GITHUB.render(Map.of("project_path", "acme/infra-live")));
    }

    @Test
    void claimNamesAreTheTemplatesPlaceholdersInOrder() {
        assertEquals(List.of("repository_owner", "environment"), OWNER_THEN_REPO.claimNames());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "spiffe://example.org/ci/github",
        "spiffe://example.org/ci/github-{repository}",
        "spiffe://example.org/ci/{repository}x",
        "spiffe://{repository_owner}/ci",
        "spiffe://example.org/ci/{repo-name}",
        "https://example.org/ci/{repository}",
        "spiffe://example.org/ci/{repository}?x"})
    void templateThatIsNotWholeSegmentsOfASpiffeIdIsRefused(String template) {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> new IdentityTemplate(template));

        assertTrue(refused.getMessage().startsWith("identity template "), refused.getMessage());
    }
}
