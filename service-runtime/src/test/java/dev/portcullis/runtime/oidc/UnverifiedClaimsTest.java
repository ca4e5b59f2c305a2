package dev.portcullis.runtime.oidc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.nimbusds.jose.util.Base64URL;
import java.util.Map;
import org.junit.jupiter.api.Test;

class UnverifiedClaimsTest {

    @Test
    void onlyTheAuditedClaimsAreKept() {
        UnverifiedClaims claims = of("{\"iss\":\"https://i\",\"repository\":\"acme/x\",\"environment\":\"prod\",\"secret\":\"s\"}");

        assertEquals(Map.of("iss", "https://i", "repository", "acme/x"), claims.values());
    }

    @Test
    void controlAndNonAsciiCharactersAreReplaced() {
        UnverifiedClaims claims = of("{\"sub\":\"line\\nbreak\\u001b[31m\\u00e4\"}");

        assertEquals("line?break?[31m?", claims.values().get("sub"));
    }

    @Test
    void longValuesAreCut() {
        UnverifiedClaims claims = of("{\"jti\":\"" + "j".repeat(1000) + "\"}");

        assertEquals("j".repeat(UnverifiedClaims.MAX_VALUE_LENGTH - 3) + "...", claims.values().get("jti"));
    }

    @Test
    void severalAudiencesAreJoined() {
        UnverifiedClaims claims = of("{\"aud\":[\"a\",\"b\"]}");

        assertEquals("a,b", claims.values().get("aud"));
    }

    @Test
    void unreadablePayloadGivesNoClaims() {
        UnverifiedClaims claims = UnverifiedClaims.of(new String[] {"e30", "not json!", "sig"});

        assertEquals(Map.of(), claims.values());
    }

    private static UnverifiedClaims of(String payload) {
        return UnverifiedClaims.of(new String[] {"e30", Base64URL.encode(payload).toString(), "sig"});
    }
}
