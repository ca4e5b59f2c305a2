package dev.portcullis.bench.reliability;

import static java.util.Objects.requireNonNull;

import io.grpc.CallCredentials;
import io.grpc.Metadata;
import java.util.concurrent.Executor;

/**
 * Call credentials sending {@code authorization: Bearer TOKEN} with every call, as a CI job's
 * client sends its OIDC identity token; grpc-java sends them only over a secure transport. Their
 * {@code toString} does not show the token. Immutable.
 */
public final class BearerCredentials extends CallCredentials {
    private static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    private final String token;

    public BearerCredentials(String token) {
        this.token = requireNonNull(token, "token is null");
    }

    @Override
    public void applyRequestMetadata(RequestInfo request, Executor executor, MetadataApplier applier) {
        Metadata headers = new Metadata();
        headers.put(AUTHORIZATION, "Bearer " + token);
        applier.apply(headers);
    }

    @Override
    public String toString() {
        return "BearerCredentials[redacted]";
    }
}
