package dev.portcullis.console.signin;

import static java.util.Objects.requireNonNull;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.portcullis.console.signin.SignInRefusedException.Reason;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import javax.net.ssl.SSLContext;

/**
 * Signs humans in with the OIDC authorization code flow and PKCE (S256) at one identity provider.
 * {@link #begin} makes the authorization request (fresh {@code state}, {@code nonce} and code
 * verifier, sealed into the browser's sign-in cookie by {@link SignInCookie}: the server keeps
 * nothing per pending sign-in); {@link #complete}
 * takes the callback's code to the token endpoint and verifies the ID token: an RS256 or ES256
 * signature by a key of the provider's JWK set, {@code iss}, {@code aud} (and {@code azp} when
 * there are several audiences), {@code exp}, {@code iat}, {@code nonce}, and with a fresh login
 * demanded, {@code auth_time} (present, and no older than the sign-in). Discovery and keys are fetched over HTTPS only, without following
 * redirects, and cached: keys are fetched again for an unknown {@code kid} at most once a minute.
 * Thread-safe.
 */
public final class OidcSignIn {
    private static final Duration SKEW = Duration.ofSeconds(60);
    private static final Duration KEYS_REFETCH_AFTER = Duration.ofMinutes(1);
    private static final Duration METADATA_KEPT_FOR = Duration.ofHours(1);
    private static final int MAX_DOCUMENT_BYTES = 64 * 1024;
    private static final Set<JWSAlgorithm> ALGORITHMS = Set.of(JWSAlgorithm.RS256, JWSAlgorithm.ES256);

    private record Metadata(URI authorizationEndpoint, URI tokenEndpoint, URI jwksUri, Instant fetchedAt) {}

    private record Keys(JWKSet set, Instant fetchedAt) {}

    private final OidcClient client;
    private final HttpClient http;
    private final Clock clock;
    private final SignInCookie cookies;
    // guarded by this: what discovery and the key set said last
    private Metadata metadata;
    private Keys keys;

    /**
     * @param tls trust for the provider's HTTPS (its CA bundle, or the JDK's default trust)
     */
    public OidcSignIn(OidcClient client, SSLContext tls, Clock clock) {
        this(client, tls, clock, new SignInCookie(SignInCookie.randomKey(), clock));
    }

    /**
     * @param tls trust for the provider's HTTPS (its CA bundle, or the JDK's default trust)
     * @param cookies seals pending sign-ins into the browser's sign-in cookie
     */
    public OidcSignIn(OidcClient client, SSLContext tls, Clock clock, SignInCookie cookies) {
        this.client = requireNonNull(client, "client is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.cookies = requireNonNull(cookies, "cookies is null");
        this.http = HttpClient.newBuilder().sslContext(requireNonNull(tls, "tls is null"))
                .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(client.timeout()).build();
    }

    /**
     * The authorization request to send the browser to, the sign-in waiting for its callback, and
     * the value of the sign-in cookie that carries it, sealed.
     */
    public record Start(URI authorizationUrl, PendingLogin login, String cookie) {}

    /**
     * Starts a sign-in that returns to console path {@code returnTo}. With {@code freshLogin} the
     * provider is asked to authenticate the user again ({@code prompt=login}, {@code max_age=0}),
     * for an approval that needs a recent login.
     *
     * @throws SignInRefusedException {@code PROVIDER_UNAVAILABLE} when discovery fails
     */
    public Start begin(String returnTo, boolean freshLogin) {
        Metadata provider = metadata();
        String verifier = random();
        PendingLogin login = new PendingLogin(random(), random(), verifier, requireNonNull(returnTo, "returnTo is null"), freshLogin,
                clock.instant());
        Map<String, String> query = new LinkedHashMap<>();
        query.put("response_type", "code");
        query.put("client_id", client.clientId());
        query.put("redirect_uri", client.redirectUri().toString());
        query.put("scope", String.join(" ", client.scopes()));
        query.put("state", login.state());
        query.put("nonce", login.nonce());
        query.put("code_challenge", challenge(verifier));
        query.put("code_challenge_method", "S256");
        if (freshLogin) {
            query.put("prompt", "login");
            query.put("max_age", "0");
        }
        String separator = provider.authorizationEndpoint().getRawQuery() == null ? "?" : "&";
        return new Start(URI.create(provider.authorizationEndpoint() + separator + form(query)), login, cookies.seal(login));
    }

    /**
     * Completes the sign-in that sent {@code state}, for the browser whose sign-in cookie is
     * {@code cookie}: exchanges {@code code} and verifies the ID token. The caller clears the
     * cookie whatever the outcome.
     *
     * @throws SignInRefusedException naming what failed
     */
    public Completed complete(String state, Optional<String> cookie, String code) {
        PendingLogin login = cookies.open(cookie, state);
        String idToken = exchange(code, login.codeVerifier());
        return new Completed(verify(idToken, login), login.returnTo());
    }

    /** A finished sign-in: the user and the console path they wanted. */
    public record Completed(SignedInUser user, String returnTo) {}

    /**
     * Ends the sign-in that sent {@code state} after the provider answered with an error.
     *
     * @throws SignInRefusedException always: {@code PROVIDER_REFUSED}, or why the cookie does not
     *     hold that sign-in ({@link SignInCookie#open})
     */
    public void refused(String state, Optional<String> cookie) {
        cookies.open(cookie, state);
        throw new SignInRefusedException(Reason.PROVIDER_REFUSED);
    }

    private String exchange(String code, String verifier) {
        Map<String, String> body = new LinkedHashMap<>();
        body.put("grant_type", "authorization_code");
        body.put("code", code);
        body.put("redirect_uri", client.redirectUri().toString());
        body.put("code_verifier", verifier);
        HttpRequest.Builder request = HttpRequest.newBuilder(metadata().tokenEndpoint()).timeout(client.timeout())
                .header("Content-Type", "application/x-www-form-urlencoded").header("Accept", "application/json");
        if (client.clientSecret().isPresent()) {
            String pair = encode(client.clientId()) + ":" + encode(client.clientSecret().get().value());
            request.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8)));
        } else {
            body.put("client_id", client.clientId());
        }
        Map<String, Object> answer = json(send(request.POST(HttpRequest.BodyPublishers.ofString(form(body))).build(), true));
        Object token = answer.get("id_token");
        if (!(token instanceof String compact) || compact.isEmpty()) {
            throw new SignInRefusedException(Reason.TOKEN_MISSING);
        }
        return compact;
    }

    /** Verifies an ID token of this sign-in; package-private so tests can hand it forged tokens. */
    SignedInUser verify(String compact, PendingLogin login) {
        SignedJWT jwt;
        JWTClaimsSet claims;
        try {
            jwt = SignedJWT.parse(compact);
            claims = jwt.getJWTClaimsSet();
        } catch (ParseException e) {
            throw new SignInRefusedException(Reason.TOKEN_MALFORMED);
        }
        JWSAlgorithm algorithm = jwt.getHeader().getAlgorithm();
        String kid = jwt.getHeader().getKeyID();
        if (!ALGORITHMS.contains(algorithm) || kid == null) {
            throw new SignInRefusedException(Reason.TOKEN_MALFORMED);
        }
        JWK key = key(kid, algorithm).orElseThrow(() -> new SignInRefusedException(Reason.TOKEN_MALFORMED));
        try {
            JWSVerifier verifier = algorithm.equals(JWSAlgorithm.RS256) ? new RSASSAVerifier((RSAKey) key)
                    : new ECDSAVerifier((ECKey) key);
            if (!jwt.verify(verifier)) {
                throw new SignInRefusedException(Reason.TOKEN_SIGNATURE);
            }
        } catch (JOSEException e) {
            throw new SignInRefusedException(Reason.TOKEN_SIGNATURE);
        }
        if (!client.issuer().toString().equals(claims.getIssuer())) {
            throw new SignInRefusedException(Reason.TOKEN_ISSUER);
        }
        List<String> audience = claims.getAudience();
        String azp = claim(claims, "azp");
        if (!audience.contains(client.clientId()) || (audience.size() > 1 && !client.clientId().equals(azp))) {
            throw new SignInRefusedException(Reason.TOKEN_AUDIENCE);
        }
        Instant now = clock.instant();
        Date exp = claims.getExpirationTime();
        Date iat = claims.getIssueTime();
        if (exp == null || iat == null || !now.isBefore(exp.toInstant().plus(SKEW)) || iat.toInstant().isAfter(now.plus(SKEW))) {
            throw new SignInRefusedException(Reason.TOKEN_EXPIRED);
        }
        String nonce = claim(claims, "nonce");
        if (nonce == null || !MessageDigest.isEqual(nonce.getBytes(StandardCharsets.UTF_8), login.nonce().getBytes(StandardCharsets.UTF_8))) {
            throw new SignInRefusedException(Reason.NONCE_MISMATCH);
        }
        String subject = claims.getSubject();
        if (subject == null || subject.isBlank()) {
            throw new SignInRefusedException(Reason.TOKEN_MALFORMED);
        }
        Optional<Instant> authTime = authTime(claims);
        // iat says when the token was made, not when the user logged in: a provider that ignored
        // prompt=login and reused its session would pass as fresh, so a fresh login needs auth_time
        if (login.freshLogin() && (authTime.isEmpty() || authTime.get().isBefore(login.startedAt().minus(SKEW)))) {
            throw new SignInRefusedException(Reason.LOGIN_TOO_OLD);
        }
        Instant authenticatedAt = authTime.orElse(iat.toInstant());
        String name = firstOf(claims, "name", "email", "preferred_username").orElse(subject);
        return new SignedInUser(subject, name, authenticatedAt, new IdToken(compact, exp.toInstant()));
    }

    private static Optional<Instant> authTime(JWTClaimsSet claims) {
        Object value = claims.getClaim("auth_time");
        if (value instanceof Number seconds) {
            return Optional.of(Instant.ofEpochSecond(seconds.longValue()));
        }
        if (value instanceof Date date) {
            return Optional.of(date.toInstant());
        }
        return Optional.empty();
    }

    private static Optional<String> firstOf(JWTClaimsSet claims, String... names) {
        for (String name : names) {
            String value = claim(claims, name);
            if (value != null && !value.isBlank()) {
                return Optional.of(value);
            }
        }
        return Optional.empty();
    }

    private static String claim(JWTClaimsSet claims, String name) {
        return claims.getClaim(name) instanceof String value ? value : null;
    }

    /** The provider's key {@code kid} fitting {@code algorithm}; the set is fetched again for an unknown kid at most once a minute. */
    private synchronized Optional<JWK> key(String kid, JWSAlgorithm algorithm) {
        Instant now = clock.instant();
        if (keys == null || (keys.set().getKeyByKeyId(kid) == null && now.isAfter(keys.fetchedAt().plus(KEYS_REFETCH_AFTER)))) {
            try {
                keys = new Keys(JWKSet.parse(new String(send(HttpRequest.newBuilder(metadata().jwksUri())
                        .timeout(client.timeout()).GET().build(), false), StandardCharsets.UTF_8)), now);
            } catch (ParseException e) {
                throw new SignInRefusedException(Reason.PROVIDER_UNAVAILABLE, e);
            }
        }
        JWK key = keys.set().getKeyByKeyId(kid);
        if (key == null || key.isPrivate()) {
            return Optional.empty();
        }
        boolean fits = algorithm.equals(JWSAlgorithm.RS256) ? key instanceof RSAKey
                : key instanceof ECKey ec && Curve.P_256.equals(ec.getCurve());
        return fits ? Optional.of(key) : Optional.empty();
    }

    private synchronized Metadata metadata() {
        Instant now = clock.instant();
        if (metadata != null && now.isBefore(metadata.fetchedAt().plus(METADATA_KEPT_FOR))) {
            return metadata;
        }
        URI discovery = URI.create(client.issuer().toString().replaceAll("/$", "") + "/.well-known/openid-configuration");
        Map<String, Object> document = json(send(HttpRequest.newBuilder(discovery).timeout(client.timeout()).GET().build(), false));
        if (!client.issuer().toString().equals(document.get("issuer"))) {
            throw new SignInRefusedException(Reason.PROVIDER_UNAVAILABLE);
        }
        metadata = new Metadata(httpsUri(document.get("authorization_endpoint")), httpsUri(document.get("token_endpoint")),
                httpsUri(document.get("jwks_uri")), now);
        return metadata;
    }

    private static URI httpsUri(Object value) {
        if (value instanceof String text) {
            try {
                URI uri = new URI(text);
                if ("https".equals(uri.getScheme()) && uri.getHost() != null) {
                    return uri;
                }
            } catch (java.net.URISyntaxException e) {
                throw new SignInRefusedException(Reason.PROVIDER_UNAVAILABLE, e);
            }
        }
        throw new SignInRefusedException(Reason.PROVIDER_UNAVAILABLE);
    }

    private byte[] send(HttpRequest request, boolean tokenEndpoint) {
        HttpResponse<byte[]> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new SignInRefusedException(Reason.PROVIDER_UNAVAILABLE, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SignInRefusedException(Reason.PROVIDER_UNAVAILABLE, e);
        }
        if (response.body().length > MAX_DOCUMENT_BYTES) {
            throw new SignInRefusedException(Reason.PROVIDER_UNAVAILABLE);
        }
        if (response.statusCode() != 200) {
            // a token endpoint's 400 is a refused code (used twice, wrong verifier): not an outage
            throw new SignInRefusedException(tokenEndpoint && response.statusCode() == 400 ? Reason.PROVIDER_REFUSED
                    : Reason.PROVIDER_UNAVAILABLE);
        }
        return response.body();
    }

    private static Map<String, Object> json(byte[] body) {
        try {
            return JSONObjectUtils.parse(new String(body, StandardCharsets.UTF_8));
        } catch (ParseException e) {
            throw new SignInRefusedException(Reason.PROVIDER_UNAVAILABLE, e);
        }
    }

    /** The S256 code challenge of {@code verifier}. */
    static String challenge(String verifier) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    private static String random() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();

    private static String form(Map<String, String> values) {
        return values.entrySet().stream().map(e -> encode(e.getKey()) + "=" + encode(e.getValue())).collect(Collectors.joining("&"));
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
