package dev.portcullis.bench.reliability;

import static java.util.Objects.requireNonNull;

import io.grpc.ChannelCredentials;
import io.grpc.CompositeChannelCredentials;

/**
 * A CI job calling with an OIDC identity token as {@code authorization: Bearer …} and no client
 * certificate, trusting the suite's CA. The token (even a hostile one) appears in no
 * {@code toString}. Immutable.
 */
final class TokenCaller implements CorpusCaller {
    private final String identity;
    private final String token;

    private TokenCaller(String identity, String token) {
        this.identity = requireNonNull(identity, "identity is null");
        this.token = requireNonNull(token, "token is null");
    }

    /** A caller whose token the suite accepts as {@code identity}. */
    static TokenCaller accepted(String identity, String token) {
        return new TokenCaller(identity, token);
    }

    /** A caller whose token the suite must refuse. */
    static TokenCaller refused(String token) {
        return new TokenCaller("", token);
    }

    @Override
    public String identity() {
        return identity;
    }

    @Override
    public ChannelCredentials credentials(CallerCertificates certificates) {
        return CompositeChannelCredentials.create(certificates.serverOnly(), new BearerCredentials(token));
    }

    @Override
    public String toString() {
        return "TokenCaller[" + (identity.isEmpty() ? "to be refused" : identity) + ", token redacted]";
    }
}
