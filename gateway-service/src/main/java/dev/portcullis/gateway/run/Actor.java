package dev.portcullis.gateway.run;

import static java.util.Objects.requireNonNull;

import dev.portcullis.runtime.identity.Credential;
import dev.portcullis.runtime.identity.SpiffeId;

/**
 * Who acts on a run, from their certificate or identity token and the gateway's role mapping.
 *
 * @param admin holds the admin role
 * @param sourceAddress the caller's "ip:port", for audit records
 * @param credential how the caller authenticated; an identity token binds what it may submit
 */
public record Actor(SpiffeId identity, boolean admin, String sourceAddress, Credential credential) {
    public Actor {
        requireNonNull(identity, "identity is null");
        requireNonNull(sourceAddress, "sourceAddress is null");
        requireNonNull(credential, "credential is null");
    }

    /** An actor that presented a client certificate. */
    public Actor(SpiffeId identity, boolean admin, String sourceAddress) {
        this(identity, admin, sourceAddress, new Credential.ClientCertificate());
    }
}
