package dev.portcullis.runtime.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class TokenClaimsTest {
    @Test
    void fittingKeepsTheClaimsConditionsCanReadAndLeavesOutTheRest() {
        Map<String, String> verified = Map.of(
                "ref_protected", "true",
                "job_workflow_ref", "acme/deploy/.github/workflows/apply.yml@refs/heads/main",
                "Environment", "prod",
                "workflow-name", "deploy",
                "long_value", "x".repeat(513),
                "multi_line", "a\nb");

        TokenClaims claims = TokenClaims.fitting(verified);

        assertEquals(Map.of("ref_protected", "true",
                "job_workflow_ref", "acme/deploy/.github/workflows/apply.yml@refs/heads/main"), claims.values());
    }

    @Test
    void fittingKeepsTheFirstSixtyFourByName() {
        Map<String, String> verified = IntStream.range(0, 70).boxed()
                .collect(Collectors.toMap(i -> "c%02d".formatted(i), i -> "v"));

        TokenClaims claims = TokenClaims.fitting(verified);

        assertEquals(64, claims.values().size());
        assertEquals("c63", new TreeMap<>(claims.values()).lastKey());
    }

    @Test
    void theConstructorRefusesWhatDoesNotFit() {
        assertThrows(IllegalArgumentException.class, () -> new TokenClaims(Map.of("Bad", "x")));
        assertThrows(IllegalArgumentException.class, () -> new TokenClaims(Map.of("ok", "x".repeat(513))));
        assertThrows(IllegalArgumentException.class, () -> new TokenClaims(Map.of("ok", "\u0085")));
        assertThrows(IllegalArgumentException.class, () -> new TokenClaims(IntStream.range(0, 65).boxed()
                .collect(Collectors.toMap(i -> "c" + i, i -> "v"))));
    }

    @Test
    void noneIsEmpty() {
        assertTrue(TokenClaims.NONE.isEmpty());
    }
}
