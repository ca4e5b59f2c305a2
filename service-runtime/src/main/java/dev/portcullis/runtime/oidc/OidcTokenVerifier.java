package dev.portcullis.runtime.oidc;

import static java.util.Objects.requireNonNull;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.portcullis.runtime.identity.SpiffeId;
import dev.portcullis.runtime.request.CommitSha;
import dev.portcullis.runtime.request.GitRef;
import java.math.BigDecimal;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Verifies OIDC identity tokens against the configured issuers, failing closed: anything not shown valid
 * is a {@link TokenRefusedException} with its {@link TokenRefusal}. A CI issuer's token (GitHub Actions,
 * GitLab CI) becomes a {@link VerifiedToken}, a human issuer's ID token a {@link VerifiedLogin}.
 *
 * <p>In order: the size bound; the compact JWS form; the header's {@code alg} (RS256 or ES256 only,
 * whatever else the header says); the unverified {@code iss} must be exactly a configured issuer URL
 * (then that issuer's own size bound); the header's {@code kid} must name a key of the issuer's key set
 * whose type fits the algorithm; the signature; {@code aud} must be exactly the issuer's one audience;
 * {@code exp} and {@code iat} must be present and {@code nbf}, {@code exp}, {@code iat} hold with the
 * issuer's clock skew; {@code exp - iat} within the maximum lifetime; then the claims: for a CI token
 * {@code jti}, {@code sha}, {@code ref} (with {@code ref_type} where it is not a full ref); for a person's
 * token {@code amr} (when present) an array of strings and {@code auth_time} (when present) a number;
 * then the identity template's claims and every required claim. Keys named in the token ({@code jku}, {@code jwk}, {@code x5u},
 * {@code x5c}) are never used.
 *
 * <p>Thread-safe. {@link #verify} may block while an issuer's keys are fetched (bounded by the issuer's
 * fetch timeout); it never logs and never puts the token in a message.
 */
public final class OidcTokenVerifier {
    /** Immutable ids recorded whenever present: GitHub's repository and owner ids, GitLab's project and namespace ids. */
    public static final List<String> IMMUTABLE_ID_CLAIMS =
            List.of("repository_id", "repository_owner_id", "project_id", "namespace_id");
    private static final int MAX_JTI_LENGTH = 256;

    private final Map<String, Trusted> byIssuerUrl;
    private final int maxTokenBytes;
    private final Clock clock;

    private record Trusted(OidcIssuer issuer, JwksCache keys) {}

    /**
     * A verifier of tokens from {@code issuers}, fetching each issuer's keys over HTTPS when first needed.
     *
     * @throws IllegalArgumentException when {@code issuers} is empty, two share a name or an issuer URL, or
     *     two human issuers' identity templates could map two people to one identity
     */
    public OidcTokenVerifier(List<OidcIssuer> issuers, Clock clock) {
        this(issuers, clock, issuer -> new JwksCache(issuer, clock));
    }

    OidcTokenVerifier(List<OidcIssuer> issuers, Clock clock, Function<OidcIssuer, JwksCache> caches) {
        requireNonNull(issuers, "issuers is null");
        this.clock = requireNonNull(clock, "clock is null");
        if (issuers.isEmpty()) {
            throw new IllegalArgumentException("portcullis.oidc.issuers must name at least one issuer");
        }
        Map<String, Trusted> trusted = new HashMap<>();
        Map<String, OidcIssuer> byName = new HashMap<>();
        int largest = 0;
        for (OidcIssuer issuer : issuers) {
            if (byName.put(issuer.name(), issuer) != null) {
                throw new IllegalArgumentException("portcullis.oidc.issuers." + issuer.name() + " is configured twice");
            }
            if (trusted.put(issuer.issuerUrl().toString(), new Trusted(issuer, caches.apply(issuer))) != null) {
                throw new IllegalArgumentException("portcullis.oidc.issuers." + issuer.name()
                        + ".issuer-url is the issuer-url of another issuer");
            }
            largest = Math.max(largest, issuer.maxTokenBytes());
        }
        requireSeparatePeople(issuers);
        this.byIssuerUrl = Map.copyOf(trusted);
        this.maxTokenBytes = largest;
    }

    /**
     * Two human issuers must never map people to one identity: with {@code …/human/{sub}} for both, the
     * second provider's user "alice" would be the first's alice, roles and approvals included. Every
     * identity of a template begins with the template's text before its first placeholder, so two
     * templates can meet only when one such prefix begins the other.
     */
    private static void requireSeparatePeople(List<OidcIssuer> issuers) {
        List<OidcIssuer> human = issuers.stream().filter(issuer -> issuer.kind() == OidcIssuer.Kind.HUMAN).toList();
        for (int i = 0; i < human.size(); i++) {
            for (int j = i + 1; j < human.size(); j++) {
                String first = literalPrefix(human.get(i).identityTemplate());
                String second = literalPrefix(human.get(j).identityTemplate());
                if (first.startsWith(second) || second.startsWith(first)) {
                    throw new IllegalArgumentException("portcullis.oidc.issuers." + human.get(i).name() + ".identity-template and "
                            + "portcullis.oidc.issuers." + human.get(j).name() + ".identity-template could map two people to one"
                            + " identity: give each human issuer a path of its own, e.g. spiffe://TD/human/"
                            + human.get(j).name() + "/{sub}");
                }
            }
        }
    }

    private static String literalPrefix(IdentityTemplate template) {
        return template.value().substring(0, template.value().indexOf('{'));
    }

    /**
     * The verified identity and claims of {@code token}, a compact JWS: a {@link VerifiedToken} when a
     * CI issuer signed it, a {@link VerifiedLogin} when a human issuer did.
     *
     * @throws TokenRefusedException when the token is not accepted, with the reason and its unverified claims
     */
    public Verified verify(String token) {
        requireNonNull(token, "token is null");
        if (token.length() > maxTokenBytes) {
            throw refused(TokenRefusal.TOKEN_TOO_LARGE, UnverifiedClaims.none());
        }
        if (!compactJwsCharacters(token)) {
            throw refused(TokenRefusal.TOKEN_MALFORMED, UnverifiedClaims.none());
        }
        String[] parts = token.split("\\.", -1);
        UnverifiedClaims unverified = UnverifiedClaims.of(parts);
        if (parts.length != 3 || parts[0].isEmpty() || parts[1].isEmpty()) {
            throw refused(TokenRefusal.TOKEN_MALFORMED, unverified);
        }
        JWSAlgorithm algorithm = acceptedAlgorithm(parts[0], unverified);
        SignedJWT jwt;
        JWTClaimsSet unverifiedClaims;
        try {
            jwt = SignedJWT.parse(token);
            unverifiedClaims = jwt.getJWTClaimsSet();
        } catch (ParseException e) {
            throw refused(TokenRefusal.TOKEN_MALFORMED, unverified);
        }
        Trusted trusted = unverifiedClaims.getIssuer() == null ? null : byIssuerUrl.get(unverifiedClaims.getIssuer());
        if (trusted == null) {
            throw refused(TokenRefusal.TOKEN_ISSUER, unverified);
        }
        OidcIssuer issuer = trusted.issuer();
        if (token.length() > issuer.maxTokenBytes()) {
            throw refused(TokenRefusal.TOKEN_TOO_LARGE, unverified);
        }
        String kid = jwt.getHeader().getKeyID();
        if (kid == null || kid.isEmpty()) {
            throw refused(TokenRefusal.TOKEN_MALFORMED, unverified);
        }
        KeyLookup lookup = trusted.keys().lookup(kid);
        if (lookup instanceof KeyLookup.Unavailable) {
            throw refused(TokenRefusal.TOKEN_ISSUER_UNAVAILABLE, unverified);
        }
        if (!(lookup instanceof KeyLookup.Found found)) {
            throw refused(TokenRefusal.TOKEN_UNKNOWN_KEY, unverified);
        }
        checkSignature(jwt, algorithm, found.key(), unverified);

        JWTClaimsSet claims = unverifiedClaims; // verified from here on
        checkAudience(claims, issuer, unverified);
        Instant expiresAt = checkTimes(claims, issuer, unverified);
        Map<String, String> strings = asStrings(claims);
        if (issuer.kind() == OidcIssuer.Kind.HUMAN) {
            SpiffeId person = identity(strings, issuer, unverified);
            immutableIds(strings, issuer, unverified); // the required claims
            if (claims.getClaim("auth_time") != null && !(claims.getClaim("auth_time") instanceof Number)) {
                throw refused(TokenRefusal.TOKEN_CLAIMS, unverified);
            }
            return new VerifiedLogin(issuer.name(), person, strings, expiresAt, amr(claims, unverified),
                    issuer.approvalStepUp());
        }
        return new VerifiedToken(
                issuer.name(),
                identity(strings, issuer, unverified),
                strings,
                commit(strings, unverified),
                ref(strings, unverified),
                jti(strings, unverified),
                expiresAt,
                immutableIds(strings, issuer, unverified));
    }

    private static boolean compactJwsCharacters(String token) {
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            boolean base64url = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
            if (!base64url && c != '.') {
                return false;
            }
        }
        return true;
    }

    /** Read from the raw header, before any library interprets it, so no header trick picks the algorithm. */
    private static JWSAlgorithm acceptedAlgorithm(String encodedHeader, UnverifiedClaims unverified) {
        Map<String, Object> header;
        try {
            header = JSONObjectUtils.parse(new Base64URL(encodedHeader).decodeToString());
        } catch (ParseException | RuntimeException e) {
            throw refused(TokenRefusal.TOKEN_MALFORMED, unverified);
        }
        Object alg = header.get("alg");
        if (JWSAlgorithm.RS256.getName().equals(alg)) {
            return JWSAlgorithm.RS256;
        }
        if (JWSAlgorithm.ES256.getName().equals(alg)) {
            return JWSAlgorithm.ES256;
        }
        throw refused(TokenRefusal.TOKEN_ALGORITHM, unverified);
    }

    private static void checkSignature(SignedJWT jwt, JWSAlgorithm algorithm, JWK key, UnverifiedClaims unverified) {
        if (!algorithm.equals(jwt.getHeader().getAlgorithm())) {
            throw refused(TokenRefusal.TOKEN_ALGORITHM, unverified);
        }
        JWSVerifier verifier;
        try {
            if (algorithm.equals(JWSAlgorithm.RS256) && key instanceof RSAKey rsa) {
                verifier = new RSASSAVerifier(rsa);
            } else if (algorithm.equals(JWSAlgorithm.ES256) && key instanceof ECKey ec) {
                verifier = new ECDSAVerifier(ec);
            } else {
                throw refused(TokenRefusal.TOKEN_ALGORITHM, unverified);
            }
            if (!jwt.verify(verifier)) {
                throw refused(TokenRefusal.TOKEN_SIGNATURE, unverified);
            }
        } catch (JOSEException | IllegalStateException e) {
            throw refused(TokenRefusal.TOKEN_SIGNATURE, unverified);
        }
    }

    private static void checkAudience(JWTClaimsSet claims, OidcIssuer issuer, UnverifiedClaims unverified) {
        List<String> audience = claims.getAudience();
        if (audience.size() != 1 || !issuer.audience().equals(audience.get(0))) {
            throw refused(TokenRefusal.TOKEN_AUDIENCE, unverified);
        }
    }

    private Instant checkTimes(JWTClaimsSet claims, OidcIssuer issuer, UnverifiedClaims unverified) {
        Date exp = claims.getExpirationTime();
        Date iat = claims.getIssueTime();
        if (exp == null || iat == null) {
            throw refused(TokenRefusal.TOKEN_CLAIMS, unverified);
        }
        Instant now = clock.instant();
        Duration skew = issuer.clockSkew();
        if (!now.isBefore(exp.toInstant().plus(skew))) {
            throw refused(TokenRefusal.TOKEN_EXPIRED, unverified);
        }
        Date nbf = claims.getNotBeforeTime();
        if (nbf != null && now.plus(skew).isBefore(nbf.toInstant())) {
            throw refused(TokenRefusal.TOKEN_NOT_YET_VALID, unverified);
        }
        if (iat.toInstant().isAfter(now.plus(skew))) {
            throw refused(TokenRefusal.TOKEN_ISSUED_IN_FUTURE, unverified);
        }
        Duration lifetime = Duration.between(iat.toInstant(), exp.toInstant());
        if (lifetime.isNegative() || lifetime.isZero() || lifetime.compareTo(issuer.maxTokenLifetime()) > 0) {
            throw refused(TokenRefusal.TOKEN_LIFETIME, unverified);
        }
        return exp.toInstant();
    }

    private static Map<String, String> asStrings(JWTClaimsSet claims) {
        Map<String, String> strings = new TreeMap<>();
        claims.getClaims().forEach((name, value) -> {
            if (name.equals("aud")) {
                strings.put(name, claims.getAudience().get(0));
            } else if (value instanceof String text) {
                strings.put(name, text);
            } else if (value instanceof Date time) {
                strings.put(name, Long.toString(time.toInstant().getEpochSecond()));
            } else if (value instanceof Number number) {
                strings.put(name, new BigDecimal(number.toString()).stripTrailingZeros().toPlainString());
            } else if (value instanceof Boolean flag) {
                strings.put(name, flag.toString());
            }
        });
        return strings;
    }

    /** The {@code amr} array of strings; empty when absent, refused when it is anything else. */
    private static List<String> amr(JWTClaimsSet claims, UnverifiedClaims unverified) {
        Object amr = claims.getClaim("amr");
        if (amr == null) {
            return List.of();
        }
        if (!(amr instanceof List<?> methods) || !methods.stream().allMatch(String.class::isInstance)) {
            throw refused(TokenRefusal.TOKEN_CLAIMS, unverified);
        }
        return methods.stream().map(String.class::cast).toList();
    }

    private static SpiffeId identity(Map<String, String> claims, OidcIssuer issuer, UnverifiedClaims unverified) {
        return issuer.identityTemplate().render(claims)
                .orElseThrow(() -> refused(TokenRefusal.TOKEN_CLAIMS, unverified));
    }

    private static CommitSha commit(Map<String, String> claims, UnverifiedClaims unverified) {
        try {
            return new CommitSha(require(claims, "sha", unverified));
        } catch (IllegalArgumentException e) {
            throw refused(TokenRefusal.TOKEN_CLAIMS, unverified);
        }
    }

    /**
     * GitHub's {@code ref} is a full ref; GitLab's is a branch or tag name with {@code ref_type} saying
     * which. A full ref must agree with a {@code ref_type} of branch or tag when there is one.
     */
    private static GitRef ref(Map<String, String> claims, UnverifiedClaims unverified) {
        String ref = require(claims, "ref", unverified);
        Optional<String> prefix = switch (claims.getOrDefault("ref_type", "")) {
            case "branch" -> Optional.of("refs/heads/");
            case "tag" -> Optional.of("refs/tags/");
            default -> Optional.empty();
        };
        String full;
        if (ref.startsWith("refs/")) {
            if (prefix.isPresent() && !ref.startsWith(prefix.get())) {
                throw refused(TokenRefusal.TOKEN_CLAIMS, unverified);
            }
            full = ref;
        } else {
            full = prefix.orElseThrow(() -> refused(TokenRefusal.TOKEN_CLAIMS, unverified)) + ref;
        }
        try {
            return new GitRef(full);
        } catch (IllegalArgumentException e) {
            throw refused(TokenRefusal.TOKEN_CLAIMS, unverified);
        }
    }

    private static String jti(Map<String, String> claims, UnverifiedClaims unverified) {
        String jti = require(claims, "jti", unverified);
        if (jti.length() > MAX_JTI_LENGTH || !jti.chars().allMatch(c -> c >= 0x21 && c <= 0x7e)) {
            throw refused(TokenRefusal.TOKEN_CLAIMS, unverified);
        }
        return jti;
    }

    private static Map<String, String> immutableIds(Map<String, String> claims, OidcIssuer issuer,
            UnverifiedClaims unverified) {
        Map<String, String> ids = new TreeMap<>();
        for (String name : IMMUTABLE_ID_CLAIMS) {
            Optional.ofNullable(claims.get(name)).ifPresent(value -> ids.put(name, value));
        }
        issuer.requiredClaims().forEach((name, expected) -> {
            if (!expected.equals(claims.get(name))) {
                throw refused(TokenRefusal.TOKEN_CLAIMS, unverified);
            }
            ids.put(name, expected);
        });
        return ids;
    }

    private static String require(Map<String, String> claims, String name, UnverifiedClaims unverified) {
        String value = claims.get(name);
        if (value == null || value.isEmpty()) {
            throw refused(TokenRefusal.TOKEN_CLAIMS, unverified);
        }
        return value;
    }

    private static TokenRefusedException refused(TokenRefusal refusal, UnverifiedClaims unverified) {
        return new TokenRefusedException(refusal, unverified);
    }
}
