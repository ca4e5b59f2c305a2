package dev.portcullis.runtime.oidc;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.UUID;

/** Mints identity tokens shaped like GitHub Actions' and GitLab CI's. */
public final class Tokens {
    public static final String SHA = "0123456789abcdef0123456789abcdef01234567";

    private Tokens() {}

    /** A GitHub Actions token for acme/infra-live on refs/heads/main, issued now, valid 10 minutes. */
    public static JWTClaimsSet.Builder github(String issuer, Instant now) {
        return times(now)
                .issuer(issuer)
                .audience(TestIssuer.AUDIENCE)
                .subject("repo:acme/infra-live:environment:prod")
                .jwtID(UUID.randomUUID().toString())
                .claim("ref", "refs/heads/main")
                .claim("ref_type", "branch")
                .claim("ref_protected", "true")
                .claim("sha", SHA)
                .claim("repository", "acme/infra-live")
                .claim("repository_id", "123")
                .claim("repository_owner", "acme")
                .claim("repository_owner_id", "4242")
                .claim("repository_visibility", "private")
                .claim("environment", "prod")
                .claim("actor", "alice")
                .claim("actor_id", "77")
                .claim("event_name", "push")
                .claim("workflow", "deploy")
                .claim("workflow_ref", "acme/infra-live/.github/workflows/deploy.yml@refs/heads/main")
                .claim("job_workflow_ref", "acme/deploy/.github/workflows/apply.yml@refs/heads/main")
                .claim("run_id", "9001")
                .claim("run_attempt", "1")
                .claim("runner_environment", "github-hosted");
    }

    /** A GitLab CI token for acme/infra-live on branch main, issued now, valid 10 minutes. */
    public static JWTClaimsSet.Builder gitlab(String issuer, Instant now) {
        return times(now)
                .issuer(issuer)
                .audience(TestIssuer.AUDIENCE)
                .subject("project_path:acme/infra-live:ref_type:branch:ref:main")
                .jwtID(UUID.randomUUID().toString())
                .claim("namespace_id", "72")
                .claim("namespace_path", "acme")
                .claim("project_id", "22")
                .claim("project_path", "acme/infra-live")
                .claim("user_id", "5")
                .claim("user_login", "alice")
                .claim("pipeline_id", "1234")
                .claim("pipeline_source", "push")
                .claim("job_id", "5678")
                .claim("ref", "main")
                .claim("ref_type", "branch")
                .claim("ref_protected", "true")
                .claim("environment", "prod")
                .claim("sha", SHA);
    }

    public static String sign(JWTClaimsSet.Builder claims, RSAKey key) {
        return sign(claims.build(), JWSAlgorithm.RS256, key.getKeyID(), key);
    }

    public static String sign(JWTClaimsSet.Builder claims, ECKey key) {
        return sign(claims.build(), JWSAlgorithm.ES256, key.getKeyID(), key);
    }

    /** Signed by {@code key} but naming {@code kid} in the header. */
    public static String signNaming(String kid, JWTClaimsSet.Builder claims, RSAKey key) {
        return sign(claims.build(), JWSAlgorithm.RS256, kid, key);
    }

    private static String sign(JWTClaimsSet claims, JWSAlgorithm algorithm, String kid, Object key) {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(algorithm).keyID(kid).type(JOSEObjectType.JWT).build(), claims);
        try {
            jwt.sign(key instanceof RSAKey rsa ? new RSASSASigner(rsa) : new ECDSASigner((ECKey) key));
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
        return jwt.serialize();
    }

    private static JWTClaimsSet.Builder times(Instant now) {
        return new JWTClaimsSet.Builder()
                .issueTime(Date.from(now))
                .notBeforeTime(Date.from(now))
                .expirationTime(Date.from(now.plus(Duration.ofMinutes(10))));
    }
}
