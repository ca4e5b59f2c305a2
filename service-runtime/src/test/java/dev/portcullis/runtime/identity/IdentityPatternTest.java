package dev.portcullis.runtime.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IdentityPatternTest {

    @Test
    void exactPatternMatchesTheIdItNames() {
        IdentityPattern pattern = new IdentityPattern("spiffe://example.org/service/gateway");

        boolean matches = pattern.matches(id("spiffe://example.org/service/gateway"));

        assertTrue(matches);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "spiffe://example.org/service/policy",
            "spiffe://example.org/service",
            "spiffe://example.org/service/gateway/extra",
            "spiffe://example.org/Service/gateway",
            "spiffe://example.org/service/gateway2",
            "spiffe://other.org/service/gateway",
    })
    void exactPatternMatchesNoOtherId(String other) {
        IdentityPattern pattern = new IdentityPattern("spiffe://example.org/service/gateway");

        boolean matches = pattern.matches(id(other));

        assertFalse(matches);
    }

    @ParameterizedTest
    @ValueSource(strings = {"spiffe://example.org/service/gateway", "spiffe://example.org/service/a.b-c_d"})
    void singleStarMatchesAnyOneSegment(String text) {
        IdentityPattern pattern = new IdentityPattern("spiffe://example.org/service/*");

        boolean matches = pattern.matches(id(text));

        assertTrue(matches);
    }

    @Test
    void singleStarDoesNotMatchTwoSegments() {
        IdentityPattern pattern = new IdentityPattern("spiffe://example.org/service/*");

        boolean matches = pattern.matches(id("spiffe://example.org/service/gateway/extra"));

        assertFalse(matches);
    }

    @Test
    void singleStarDoesNotMatchAMissingSegment() {
        IdentityPattern pattern = new IdentityPattern("spiffe://example.org/service/*");

        boolean matches = pattern.matches(id("spiffe://example.org/service"));

        assertFalse(matches);
    }

    @Test
    void singleStarInTheMiddleMatchesOneSegmentThere() {
        IdentityPattern pattern = new IdentityPattern("spiffe://example.org/ci/*/acme");

        boolean matches = pattern.matches(id("spiffe://example.org/ci/github/acme"));

        assertTrue(matches);
    }

    @ParameterizedTest
    @ValueSource(strings = {"spiffe://example.org/ci/github/other", "spiffe://example.org/ci/github/org/acme"})
    void singleStarInTheMiddleStillNeedsTheSegmentsAroundIt(String text) {
        IdentityPattern pattern = new IdentityPattern("spiffe://example.org/ci/*/acme");

        boolean matches = pattern.matches(id(text));

        assertFalse(matches);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "spiffe://example.org/ci/github",
            "spiffe://example.org/ci/github/acme",
            "spiffe://example.org/ci/github/acme/infra-live/main",
    })
    void doubleStarMatchesAnyRemainingSegments(String text) {
        IdentityPattern pattern = new IdentityPattern("spiffe://example.org/ci/**");

        boolean matches = pattern.matches(id(text));

        assertTrue(matches);
    }

    @Test
    void doubleStarNeedsAtLeastOneSegment() {
        IdentityPattern pattern = new IdentityPattern("spiffe://example.org/ci/**");

        boolean matches = pattern.matches(id("spiffe://example.org/ci"));

        assertFalse(matches);
    }

    @Test
    void doubleStarDoesNotMatchAnotherPrefix() {
        IdentityPattern pattern = new IdentityPattern("spiffe://example.org/ci/**");

        boolean matches = pattern.matches(id("spiffe://example.org/human/ci/alice"));

        assertFalse(matches);
    }

    @ParameterizedTest
    @ValueSource(strings = {"spiffe://example.org/a", "spiffe://example.org/a/b/c"})
    void doubleStarAloneMatchesEveryIdOfTheTrustDomain(String text) {
        IdentityPattern pattern = new IdentityPattern("spiffe://example.org/**");

        boolean matches = pattern.matches(id(text));

        assertTrue(matches);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "spiffe://other.org/ci/github",
            "spiffe://example.org.evil/ci/github",
            "spiffe://sub.example.org/ci/github",
            "spiffe://example-org/ci/github",
    })
    void trustDomainMustMatchExactly(String text) {
        IdentityPattern pattern = new IdentityPattern("spiffe://example.org/ci/**");

        boolean matches = pattern.matches(id(text));

        assertFalse(matches);
    }

    @ParameterizedTest
    @ValueSource(strings = {"spiffe://example.org/**/acme", "spiffe://example.org/ci/**/*"})
    void doubleStarBeforeTheLastSegmentIsRejected(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new IdentityPattern(text));

        assertTrue(e.getMessage().contains("'**' is allowed only as the last segment"), e::getMessage);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "spiffe://example.org/ci/a*b",
            "spiffe://example.org/ci/github*",
            "spiffe://example.org/ci/*github",
            "spiffe://example.org/ci/***",
            "spiffe://example.org/ci/a**",
    })
    void partialWildcardSegmentIsRejected(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new IdentityPattern(text));

        assertTrue(e.getMessage().contains("'*' must be a whole path segment"), e::getMessage);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "https://example.org/ci/**",
            "spiffe://Example.org/ci/**",
            "spiffe://example.org",
            "spiffe://example.org/ci/**/",
            "spiffe://example.org/ci//*",
            "spiffe://example.org/ci/*?x=1",
    })
    void patternThatIsNotShapedLikeASpiffeIdIsRejected(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new IdentityPattern(text));

        assertTrue(e.getMessage().startsWith("not an identity pattern (" + text + "): "), e::getMessage);
    }

    @ParameterizedTest
    @ValueSource(strings = {"spiffe://*/ci/**", "spiffe://*.example.org/ci/**", "spiffe://example.*/ci"})
    void wildcardInTheTrustDomainIsRejected(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new IdentityPattern(text));

        assertTrue(e.getMessage().contains("trust domain"), e.getMessage());
    }

    @Test
    void patternPrintsAsWritten() {
        IdentityPattern pattern = new IdentityPattern("spiffe://example.org/ci/**");

        String printed = pattern.toString();

        assertEquals("spiffe://example.org/ci/**", printed);
    }

    private static SpiffeId id(String text) {
        return SpiffeId.parse(text);
    }
}
