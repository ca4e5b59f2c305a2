package dev.portcullis.cli.dev.issuer;

import static java.util.Objects.requireNonNull;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.portcullis.runtime.request.CommitSha;
import dev.portcullis.runtime.request.GitRef;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.UUID;

/**
 * Mints the dev issuer's identity tokens, shaped like GitHub Actions' (iss, aud, sub, repository,
 * repository_id, ref, sha, jti, iat/nbf/exp, …), and, for tests and the hostile corpus, tokens
 * that are wrong on purpose: unsigned ({@code alg: none}), HMAC-signed with the public key,
 * naming another key, tampered after signing. DEV ONLY. Immutable and thread-safe.
 */
public final class DevTokens {
    /** How long a dev token is valid: the gateway's default maximum token lifetime. */
    public static final Duration LIFETIME = Duration.ofHours(1);
    /** The repository a dev token names: dev mode's demo repository, as GitHub would write it. */
    public static final String REPOSITORY = "portcullis-dev/example";
    /** The demo repository's immutable id in dev tokens. */
    public static final String REPOSITORY_ID = "1";

    private final RSAKey key;
    private final String issuer;
    private final Clock clock;

    DevTokens(RSAKey key, String issuer, Clock clock) {
        this.key = requireNonNull(key, "key is null");
        this.issuer = requireNonNull(issuer, "issuer is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /**
     * The minter of the dev issuer that {@code portcullis dev} last started on {@code dataDir}:
     * its signing key and issuer URL as saved there.
     *
     * @throws IllegalStateException when no dev mode has run an issuer on {@code dataDir}
     */
    public static DevTokens in(Path dataDir, Clock clock) {
        Path oidc = DevIssuer.oidcDir(requireNonNull(dataDir, "dataDir is null").toAbsolutePath());
        Path url = oidc.resolve(DevIssuer.URL_FILE_NAME);
        if (!Files.isRegularFile(url) || !Files.isRegularFile(oidc.resolve(DevSigningKey.FILE_NAME))) {
            throw new IllegalStateException(dataDir + " holds no dev issuer (no oidc/" + DevIssuer.URL_FILE_NAME
                    + "); start `portcullis dev --data-dir " + dataDir + "` first");
        }
        try {
            return new DevTokens(DevSigningKey.load(oidc), Files.readString(url, StandardCharsets.UTF_8).strip(), clock);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + url, e);
        }
    }

    /** The issuer URL, the {@code iss} of every token minted here. */
    public String issuer() {
        return issuer;
    }

    /**
     * A minter with the same key whose tokens name {@code otherIssuer} as their {@code iss}: tokens
     * of an issuer the gateway does not know, or knows but cannot reach.
     */
    public DevTokens forIssuer(String otherIssuer) {
        return new DevTokens(key, otherIssuer, clock);
    }

    /** The {@code kid} of the signing key, as the JWK set publishes it. */
    public String keyId() {
        return key.getKeyID();
    }

    /**
     * The claims of a GitHub Actions token for {@link #REPOSITORY} at {@code commit} on {@code ref},
     * issued now for the dev audience and valid for {@link #LIFETIME}, with a fresh {@code jti}.
     * Change any claim before signing.
     */
    public JWTClaimsSet.Builder github(CommitSha commit, GitRef ref) {
        requireNonNull(commit, "commit is null");
        requireNonNull(ref, "ref is null");
        Instant now = clock.instant();
        String refType = ref.value().startsWith("refs/tags/") ? "tag" : "branch";
        return new JWTClaimsSet.Builder()
                .issuer(issuer)
                .audience(DevIssuer.AUDIENCE)
                .subject("repo:" + REPOSITORY + ":ref:" + ref.value())
                .jwtID(UUID.randomUUID().toString())
                .issueTime(Date.from(now))
                .notBeforeTime(Date.from(now))
                .expirationTime(Date.from(now.plus(LIFETIME)))
                .claim("ref", ref.value())
                .claim("ref_type", refType)
                .claim("sha", commit.value())
                .claim("repository", REPOSITORY)
                .claim("repository_id", REPOSITORY_ID)
                .claim("repository_owner", REPOSITORY.substring(0, REPOSITORY.indexOf('/')))
                .claim("repository_owner_id", "1")
                .claim("actor", "dev")
                .claim("event_name", "push")
                .claim("workflow", "portcullis dev")
                .claim("runner_environment", "self-hosted");
    }

    /** {@code claims} signed RS256 by the dev issuer's key: a token the dev gateway accepts. */
    public String sign(JWTClaimsSet.Builder claims) {
        return signNaming(key.getKeyID(), claims);
    }

    /** {@code claims} signed by the dev issuer's key, the header naming key {@code kid} instead. */
    public String signNaming(String kid, JWTClaimsSet.Builder claims) {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(kid).type(JOSEObjectType.JWT).build(),
                claims.build());
        try {
            jwt.sign(new RSASSASigner(key));
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot sign a dev token", e);
        }
        return jwt.serialize();
    }

    /**
     * A forgery: {@code claims} under {@code alg: HS256}, "signed" with the issuer's public key (its
     * X.509 encoding) as the HMAC secret, the classic attack on verifiers that let the header choose.
     */
    public String signHmacWithPublicKey(JWTClaimsSet.Builder claims) {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(key.getKeyID()).build(), claims.build());
        try {
            jwt.sign(new MACSigner(key.toRSAPublicKey().getEncoded()));
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot make the HS256 forgery", e);
        }
        return jwt.serialize();
    }

    /** A forgery: {@code claims} under {@code alg: none} naming the issuer's key, with no signature. */
    public String unsigned(JWTClaimsSet.Builder claims) {
        String header = "{\"alg\":\"none\",\"typ\":\"JWT\",\"kid\":\"" + key.getKeyID() + "\"}";
        return Base64URL.encode(header) + "." + Base64URL.encode(claims.build().toString()) + ".";
    }

    /** A forgery: {@code token}'s header and signature around the payload {@code claims} instead. */
    public static String tampered(String token, JWTClaimsSet.Builder claims) {
        String[] parts = requireNonNull(token, "token is null").split("\\.", -1);
        if (parts.length != 3) {
            throw new IllegalArgumentException("not a compact JWS");
        }
        return parts[0] + "." + Base64URL.encode(claims.build().toString()) + "." + parts[2];
    }

    /**
     * Mints a token for {@link #REPOSITORY} at {@code commit} on {@code ref} and writes it to
     * {@code file} (mode 0600).
     *
     * @return when it expires
     */
    public Instant mintTo(Path file, CommitSha commit, GitRef ref) {
        JWTClaimsSet.Builder claims = github(commit, ref);
        Instant expires = claims.build().getExpirationTime().toInstant();
        write(sign(claims), file);
        return expires;
    }

    /** Writes {@code token} to {@code file} with mode 0600, replacing it atomically. */
    public static void write(String token, Path file) {
        PrivateFiles.write(requireNonNull(file, "file is null"), requireNonNull(token, "token is null") + "\n");
    }
}
