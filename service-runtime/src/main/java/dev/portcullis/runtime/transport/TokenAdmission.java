package dev.portcullis.runtime.transport;

import static java.util.Objects.requireNonNull;

import dev.portcullis.runtime.identity.SpiffeId;
import java.util.Set;

/**
 * Which bearer tokens a server admits, and from whom. Immutable.
 *
 * <ul>
 *   <li>A CI job's token ({@link BearerTokens.Accepted}) only when {@code ciTokens}: from a caller with no
 *       client certificate, or with one naming the same identity (the gateway; the TLS then asks for a
 *       client certificate without requiring it).
 *   <li>A person's ID token ({@link BearerTokens.AcceptedUser}) only from a caller whose client certificate
 *       names one of {@code delegates} (the web console): the person becomes the caller. Presented by
 *       anyone else it is refused {@code DELEGATE_REQUIRED}.
 *   <li>A delegate's call without a person's token is refused {@code USER_TOKEN_REQUIRED}: a delegate's
 *       certificate alone can do nothing, except call {@code delegateOwnMethods}, where it acts in its own
 *       name without a role (the audit service's {@code Append}, for the console's own refusals; the
 *       service narrows what it may write).
 * </ul>
 *
 * @param tokens verifies the tokens
 * @param ciTokens whether CI jobs' tokens are admitted
 * @param delegates the identities allowed to present a person's token
 * @param delegateOwnMethods full gRPC method names ({@code portcullis.v1.AuditService/Append}) a delegate may
 *     call with its certificate alone, whatever roles it holds
 */
public record TokenAdmission(BearerTokens tokens, boolean ciTokens, Set<SpiffeId> delegates, Set<String> delegateOwnMethods) {
    public TokenAdmission {
        requireNonNull(tokens, "tokens is null");
        delegates = Set.copyOf(requireNonNull(delegates, "delegates is null"));
        delegateOwnMethods = Set.copyOf(requireNonNull(delegateOwnMethods, "delegateOwnMethods is null"));
    }

    /** Admits no delegate call without a person's token. */
    public TokenAdmission(BearerTokens tokens, boolean ciTokens, Set<SpiffeId> delegates) {
        this(tokens, ciTokens, delegates, Set.of());
    }

    /** This admission, letting delegates call {@code methods} with their certificate alone. */
    public TokenAdmission withDelegateOwnMethods(Set<String> methods) {
        return new TokenAdmission(tokens, ciTokens, delegates, methods);
    }

    /** Whether {@code identity} may present a person's token. */
    public boolean isDelegate(SpiffeId identity) {
        return delegates.contains(identity);
    }
}
