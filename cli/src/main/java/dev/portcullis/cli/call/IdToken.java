package dev.portcullis.cli.call;

import static java.util.Objects.requireNonNull;

import io.grpc.CallCredentials;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Executor;
import java.util.regex.Pattern;

/**
 * A CI job's OIDC identity token (a JWT in compact form), checked for shape before any connection
 * and sent as {@code authorization: Bearer …} on every call of a channel (docs/oidc.md). Its text
 * never leaves this class except in that header: {@link #toString()} and every message name only
 * where the token came from. Immutable.
 */
public final class IdToken {
    /** The most a token may weigh; the gateway refuses larger ones too. */
    public static final int MAX_BYTES = 16 * 1024;
    static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    private static final Pattern COMPACT_JWS = Pattern.compile("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+");
    private static final String NEXT_STEP = "give the CLI the identity token (a JWT) your CI job was issued: in GitLab CI"
            + " via `id_tokens:` (PORTCULLIS_ID_TOKEN), in GitHub Actions with --id-token-audience (docs/cli.md)";

    private final String jwt;
    private final String source;

    private IdToken(String jwt, String source) {
        this.jwt = jwt;
        this.source = source;
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
        return new IdToken(jwt, source);
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

    /** Where the token came from, e.g. "PORTCULLIS_ID_TOKEN": safe to show. */
    public String source() {
        return source;
    }

    /** Call credentials sending this token; grpc-java sends them only over a secure transport. */
    CallCredentials credentials() {
        return new CallCredentials() {
            @Override
            public void applyRequestMetadata(RequestInfo request, Executor executor, MetadataApplier applier) {
                Metadata headers = new Metadata();
                headers.put(AUTHORIZATION, "Bearer " + jwt);
                applier.apply(headers);
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
