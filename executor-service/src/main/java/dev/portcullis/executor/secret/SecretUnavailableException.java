package dev.portcullis.executor.secret;

import static java.util.Objects.requireNonNull;

import dev.portcullis.catalog.SecretGrant;
import dev.portcullis.runtime.error.DomainException;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A task's secrets cannot be read. The message is safe to show the caller and to log: it names
 * the grant paths concerned and what failed, never a secret value, a token, a secret id or a
 * lease, and never quotes the secret source's own error text. Maps to FAILED_PRECONDITION with
 * reason {@code SECRETS_UNAVAILABLE}; metadata {@code secret_paths} lists the grants concerned.
 */
public final class SecretUnavailableException extends DomainException {
    private static final long serialVersionUID = 1L;

    /** @param message safe to show: names grants and the failure, never a value */
    public SecretUnavailableException(List<SecretGrant> grants, String message) {
        super(Kind.PRECONDITION, "SECRETS_UNAVAILABLE", message,
                Map.of("secret_paths", grants.stream().map(SecretGrant::toString).collect(Collectors.joining(","))));
    }

    /** {@code cannot read GRANT: PROBLEM}. */
    static SecretUnavailableException cannotRead(SecretGrant grant, String problem) {
        return new SecretUnavailableException(List.of(grant),
                "cannot read " + requireNonNull(grant, "grant is null") + ": " + problem);
    }
}
