package dev.portcullis.cli.call;

import static java.util.Objects.requireNonNull;

import com.nimbusds.jwt.JWTParser;

import io.grpc.CallCredentials;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * A CI job's OIDC identity token (a JWT in compact form), checked for shape before any connection
 * and sent as {@code authorization: Bearer …} on every call of a channel (docs/oidc.md). Its text
 * never leaves this class except in that header: {@link #toString()} and every message name only
 * where the token came from.
 *
 * <p>A command may outlive its token (an apply waiting for approval, a watch that reconnects), so
 * a token whose source can give a new one ({@link #renewedBy}: the file again, GitHub Actions
 * again) is renewed before a call once less than {@link #RENEW_BEFORE} of it is left, by its
 * unverified {@code exp}; a token without {@code exp}, or from a source that cannot renew, is sent
 * as it is. Thread-safe: the current token is guarded by this object's lock.
 */
public final class IdToken {
    /** The most a token may weigh; the gateway refuses larger ones too. */
    public static final int MAX_BYTES = 16 * 1024;
    static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    private static final Pattern COMPACT_JWS = Pattern.compile("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+");
    private static final String NEXT_STEP = "give the CLI the identity token (a JWT) your CI job was issued: in GitLab CI"
            + " via `id_tokens:` (PORTCULLIS_ID_TOKEN), in GitHub Actions with --id-token-audience (docs/cli.md)";

    /** How long before its {@code exp} a renewable token is replaced. */
    public static final Duration RENEW_BEFORE = Duration.ofSeconds(60);

    private final String source;
    private final Optional<Supplier<IdToken>> renewal;
    private final Clock clock;
    // guarded by this: the token and its exp, read once per token rather than on every call
    private String jwt;
    private Optional<Instant> expiry;

    private IdToken(String jwt, String source, Optional<Supplier<IdToken>> renewal, Clock clock) {
        this.jwt = jwt;
        this.expiry = expiry(jwt);
        this.source = source;
        this.renewal = renewal;
        this.clock = clock;
    }

    /**
     * The token {@code text} from {@code source} (e.g. "PORTCULLIS_ID_TOKEN"), surrounding white
     * space removed.
     *
     * @throws IllegalStateException naming {@code source}, never quoting the text, when it is
     *     empty, larger than {@link #MAX_BYTES} or not three base64url segments
     */
    public static IdToken of(String text, String source) {
        requireNonNull(text, "text is null");
        requireNonNull(source, "source is null");
        String jwt = text.strip();
        if (jwt.isEmpty()) {
            throw new IllegalStateException(source + " is empty: " + NEXT_STEP);
        }
        if (jwt.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
            throw new IllegalStateException(source + " holds more than " + MAX_BYTES + " bytes, too many for an identity"
                    + " token: " + NEXT_STEP);
        }
        if (!COMPACT_JWS.matcher(jwt).matches()) {
            throw new IllegalStateException(source + " does not hold a JWT (three base64url segments separated by dots;"
                    + " the token itself is not shown): " + NEXT_STEP);
        }
        return new IdToken(jwt, source, Optional.empty(), Clock.systemUTC());
    }

    /**
     * The token in {@code file}, named {@code option} (e.g. "--id-token-file") in messages.
     *
     * @throws IllegalStateException naming the file, when it cannot be read or does not hold a token ({@link #of})
     */
    public static IdToken read(Path file, String option) {
        requireNonNull(file, "file is null");
        String named = option + " (" + file + ")";
        byte[] bytes;
        try {
            if (Files.size(file) > MAX_BYTES + 2) { // a trailing CRLF is allowed
                throw new IllegalStateException(named + " holds more than " + MAX_BYTES + " bytes, too many for an"
                        + " identity token: " + NEXT_STEP);
            }
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new IllegalStateException(named + " cannot be read (" + e.getClass().getSimpleName() + "): point "
                    + option + " at the file your CI job wrote its identity token to");
        }
        return of(new String(bytes, StandardCharsets.UTF_8), named);
    }

    /**
     * This token, renewed by {@code renewal} (which answers a new token or throws
     * IllegalStateException saying why not) when it nears its expiry.
     */
    public IdToken renewedBy(Supplier<IdToken> renewal) {
        return renewedBy(renewal, Clock.systemUTC());
    }

    IdToken renewedBy(Supplier<IdToken> renewal, Clock clock) {
        requireNonNull(renewal, "renewal is null");
        requireNonNull(clock, "clock is null");
        return new IdToken(current(), source, Optional.of(renewal), clock);
    }

    /**
     * The token to send now: renewed first when it can be and less than {@link #RENEW_BEFORE} is left.
     *
     * @throws IllegalStateException naming the source when the renewal failed
     */
    synchronized String current() {
        if (renewal.isPresent()) {
            if (expiry.isPresent() && !clock.instant().isBefore(expiry.get().minus(RENEW_BEFORE))) {
                IdToken renewed;
                try {
                    renewed = renewal.get().get();
                } catch (IllegalStateException e) {
                    throw new IllegalStateException("the identity token from " + source + " expires at " + expiry.get()
                            + " and could not be renewed: " + e.getMessage(), e);
                }
                jwt = renewed.current();
                expiry = expiry(jwt);
            }
        }
        return jwt;
    }

    /** The token's {@code exp}, read without verifying it (only to know when to renew). */
    private static Optional<Instant> expiry(String jwt) {
        try {
            Date exp = JWTParser.parse(jwt).getJWTClaimsSet().getExpirationTime();
            return Optional.ofNullable(exp).map(Date::toInstant);
        } catch (ParseException e) {
            return Optional.empty(); // the gateway will say what is wrong with it
        }
    }

    /** Where the token came from, e.g. "PORTCULLIS_ID_TOKEN": safe to show. */
    public String source() {
        return source;
    }

    /** Call credentials sending this token; grpc-java sends them only over a secure transport. */
    CallCredentials credentials() {
        return new CallCredentials() {
            @Override
            public void applyRequestMetadata(RequestInfo request, Executor executor, MetadataApplier applier) {
                // a renewal reads a file or calls GitHub: not on the transport's thread
                executor.execute(() -> {
                    String token;
                    try {
                        token = current();
                    } catch (IllegalStateException e) {
                        applier.fail(Status.UNAUTHENTICATED.withDescription(e.getMessage()));
                        return;
                    }
                    Metadata headers = new Metadata();
                    headers.put(AUTHORIZATION, "Bearer " + token);
                    applier.apply(headers);
                });
            }

            @Override
            public String toString() {
                return "IdToken.credentials[" + source + "]";
            }
        };
    }

    /** An interceptor that attaches {@link #credentials()} to every call. */
    ClientInterceptor bearer() {
        CallCredentials credentials = credentials();
        return new ClientInterceptor() {
            @Override
            public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
                return next.newCall(method, options.withCallCredentials(credentials));
            }
        };
    }

    @Override
    public String toString() {
        return "IdToken[from " + source + "]";
    }
}
