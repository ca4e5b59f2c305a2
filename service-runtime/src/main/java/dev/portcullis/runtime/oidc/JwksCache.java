package dev.portcullis.runtime.oidc;

import static java.util.Objects.requireNonNull;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.JSONObjectUtils;
import dev.portcullis.runtime.pki.PemFiles;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One issuer's public signing keys, fetched over HTTPS (the JWKS URL, configured or found by OpenID
 * discovery) and cached by {@code kid}.
 *
 * <p>Fetches happen inside {@link #lookup}, on the caller's thread, and at most once per
 * {@link #REFETCH_INTERVAL} whatever their outcome, so a flood of tokens with made-up {@code kid}s
 * costs the issuer one request a minute. A key set is fetched again when a token names a {@code kid}
 * it lacks (key rotation) or once it is older than {@link #REFRESH_AFTER} (so a key the issuer
 * withdrew stops verifying). A failed fetch keeps the last good set, usable until
 * {@link OidcIssuer#keysKeptFor()} after it was fetched; after that, and before any fetch succeeded,
 * lookups say {@link KeyLookup.Unavailable}.
 *
 * <p>Only the issuer's CA certificates are trusted for TLS; redirects are not followed; each fetch has
 * the issuer's connect and request timeout and the whole fetch twice that as a deadline; a document
 * larger than {@value #MAX_DOCUMENT_BYTES} bytes is refused. Only RSA keys of at least 2048 bits and
 * EC P-256 keys that have a {@code kid}, are meant for signatures and name no other algorithm are
 * kept; a {@code kid} that appears twice is dropped. Thread-safe; a lookup may block for a fetch.
 */
final class JwksCache {
    static final Duration REFETCH_INTERVAL = Duration.ofMinutes(1);
    static final Duration REFRESH_AFTER = Duration.ofMinutes(15);
    static final int MAX_DOCUMENT_BYTES = 64 * 1024;
    private static final Logger log = LoggerFactory.getLogger(JwksCache.class);

    private final OidcIssuer issuer;
    private final HttpClient http;
    private final Clock clock;
    /** Guards {@link #lastAttempt} and every write of {@link #keys}; held during a fetch. */
    private final ReentrantLock fetching = new ReentrantLock();
    private volatile KeySet keys = KeySet.NONE;
    private Instant lastAttempt;

    JwksCache(OidcIssuer issuer, Clock clock) {
        this.issuer = requireNonNull(issuer, "issuer is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.http = HttpClient.newBuilder()
                .sslContext(PemFiles.trustingOnly(issuer.caCertificates()))
                .connectTimeout(issuer.fetchTimeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /** The key with {@code kid}, fetching the key set first when it lacks that key or is due a refresh. */
    KeyLookup lookup(String kid) {
        requireNonNull(kid, "kid is null");
        Instant now = clock.instant();
        KeySet current = keys;
        if (current.usableAt(now, issuer.keysKeptFor()) && current.has(kid)) {
            if (!current.dueAt(now)) {
                return new KeyLookup.Found(current.key(kid));
            }
            // due a refresh but still good: refresh unless another thread is at it, never wait for it
            if (fetching.tryLock()) {
                try {
                    fetchIfAllowed(now);
                } finally {
                    fetching.unlock();
                }
            }
        } else {
            fetching.lock();
            try {
                KeySet latest = keys;
                if (!(latest.usableAt(now, issuer.keysKeptFor()) && latest.has(kid))) {
                    fetchIfAllowed(now);
                }
            } finally {
                fetching.unlock();
            }
        }
        KeySet latest = keys;
        if (!latest.usableAt(now, issuer.keysKeptFor())) {
            return new KeyLookup.Unavailable();
        }
        return latest.has(kid) ? new KeyLookup.Found(latest.key(kid)) : new KeyLookup.Unknown();
    }

    private void fetchIfAllowed(Instant now) {
        if (lastAttempt != null && now.isBefore(lastAttempt.plus(REFETCH_INTERVAL))) {
            return;
        }
        lastAttempt = now;
        try {
            Map<String, JWK> fetched = fetch();
            keys = new KeySet(fetched, now);
            log.atInfo().addKeyValue("issuer", issuer.name()).addKeyValue("keys", fetched.size()).log("oidc.keys_fetched");
        } catch (FetchFailure failure) {
            log.atWarn().addKeyValue("issuer", issuer.name()).addKeyValue("problem", failure.getMessage())
                    .setCause(failure.getCause()).log("oidc.keys_fetch_failed");
        }
    }

    private Map<String, JWK> fetch() throws FetchFailure {
        URI jwksUrl = issuer.keyLocation() instanceof OidcIssuer.KeyLocation.JwksUrl configured
                ? configured.url()
                : discoverJwksUrl();
        JWKSet set;
        try {
            set = JWKSet.parse(get(jwksUrl));
        } catch (ParseException e) {
            throw new FetchFailure("jwks_unreadable", e);
        }
        Map<String, JWK> usable = new HashMap<>();
        Set<String> duplicated = new HashSet<>();
        for (JWK key : set.getKeys()) {
            if (!usable(key)) {
                continue;
            }
            // a key set that names one kid twice leaves it unclear which key signed: neither is used
            if (usable.put(key.getKeyID(), key.toPublicJWK()) != null) {
                duplicated.add(key.getKeyID());
            }
        }
        usable.keySet().removeAll(duplicated);
        return usable;
    }

    private URI discoverJwksUrl() throws FetchFailure {
        Map<String, Object> document;
        try {
            document = JSONObjectUtils.parse(get(issuer.discoveryUrl()));
        } catch (ParseException e) {
            throw new FetchFailure("discovery_unreadable", e);
        }
        // OpenID Connect Discovery 1.0 §4.3: the document must name exactly the issuer it was fetched for
        if (!issuer.issuerUrl().toString().equals(document.get("issuer"))) {
            throw new FetchFailure("discovery_names_another_issuer", null);
        }
        if (!(document.get("jwks_uri") instanceof String jwksUri)) {
            throw new FetchFailure("discovery_without_jwks_uri", null);
        }
        URI url;
        try {
            url = new URI(jwksUri);
        } catch (java.net.URISyntaxException e) {
            throw new FetchFailure("discovery_jwks_uri_not_https", null);
        }
        if (!OidcIssuer.isPlainHttps(url)) {
            throw new FetchFailure("discovery_jwks_uri_not_https", null);
        }
        return url;
    }

    private String get(URI url) throws FetchFailure {
        HttpRequest request = HttpRequest.newBuilder(url)
                .timeout(issuer.fetchTimeout())
                .header("Accept", "application/json")
                .GET()
                .build();
        CompletableFuture<HttpResponse<byte[]>> response = http.sendAsync(request, info -> info.statusCode() == 200
                ? new BoundedBody(MAX_DOCUMENT_BYTES)
                : HttpResponse.BodySubscribers.replacing(new byte[0]));
        HttpResponse<byte[]> answer;
        try {
            // the request timeout ends at the response headers; this deadline bounds the body too
            answer = response.get(issuer.fetchTimeout().toMillis() * 2, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            response.cancel(true);
            Thread.currentThread().interrupt();
            throw new FetchFailure("interrupted", e);
        } catch (TimeoutException e) {
            response.cancel(true);
            throw new FetchFailure("timed_out", e);
        } catch (ExecutionException e) {
            throw new FetchFailure(causedByTooLarge(e) ? "document_too_large" : "unreachable", e.getCause());
        }
        if (answer.statusCode() != 200) {
            throw new FetchFailure("http_status_" + answer.statusCode(), null);
        }
        return new String(answer.body(), StandardCharsets.UTF_8);
    }

    private static boolean causedByTooLarge(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof TooLarge) {
                return true;
            }
        }
        return false;
    }

    private static boolean usable(JWK key) {
        if (key.getKeyID() == null || key.getKeyID().isEmpty()) {
            return false;
        }
        if (key.getKeyUse() != null && !KeyUse.SIGNATURE.equals(key.getKeyUse())) {
            return false;
        }
        if (key instanceof RSAKey rsa) {
            return rsa.size() >= 2048 && (key.getAlgorithm() == null || JWSAlgorithm.RS256.equals(key.getAlgorithm()));
        }
        if (key instanceof ECKey ec) {
            return Curve.P_256.equals(ec.getCurve())
                    && (key.getAlgorithm() == null || JWSAlgorithm.ES256.equals(key.getAlgorithm()));
        }
        return false;
    }

    /** A set of keys and when it was fetched; {@link #NONE} before the first good fetch. */
    private record KeySet(Map<String, JWK> byKid, Instant fetchedAt) {
        static final KeySet NONE = new KeySet(Map.of(), Instant.MIN);

        KeySet {
            byKid = Map.copyOf(byKid);
        }

        boolean usableAt(Instant now, Duration keptFor) {
            return this != NONE && now.isBefore(fetchedAt.plus(keptFor));
        }

        boolean dueAt(Instant now) {
            return !now.isBefore(fetchedAt.plus(REFRESH_AFTER));
        }

        boolean has(String kid) {
            return byKid.containsKey(kid);
        }

        JWK key(String kid) {
            return byKid.get(kid);
        }
    }

    /** Why a fetch failed: a fixed word of ours for the log, never the issuer's text. */
    private static final class FetchFailure extends Exception {
        private static final long serialVersionUID = 1L;

        FetchFailure(String problem, Throwable cause) {
            super(problem, cause, false, false);
        }
    }

    private static final class TooLarge extends IOException {
        private static final long serialVersionUID = 1L;

        TooLarge() {
            super("document larger than " + MAX_DOCUMENT_BYTES + " bytes");
        }
    }

    /** Collects a response body, giving up (and cancelling the download) beyond {@code limit} bytes. */
    private static final class BoundedBody implements HttpResponse.BodySubscriber<byte[]> {
        private final CompletableFuture<byte[]> body = new CompletableFuture<>();
        private final ByteArrayOutputStream collected = new ByteArrayOutputStream();
        private final int limit;
        private Flow.Subscription subscription;

        BoundedBody(int limit) {
            this.limit = limit;
        }

        @Override
        public CompletionStage<byte[]> getBody() {
            return body;
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            this.subscription = subscription;
            subscription.request(1);
        }

        @Override
        public void onNext(List<ByteBuffer> items) {
            for (ByteBuffer item : items) {
                if (collected.size() + item.remaining() > limit) {
                    subscription.cancel();
                    body.completeExceptionally(new TooLarge());
                    return;
                }
                byte[] bytes = new byte[item.remaining()];
                item.get(bytes);
                collected.writeBytes(bytes);
            }
            subscription.request(1);
        }

        @Override
        public void onError(Throwable failure) {
            body.completeExceptionally(failure);
        }

        @Override
        public void onComplete() {
            body.complete(collected.toByteArray());
        }
    }
}
