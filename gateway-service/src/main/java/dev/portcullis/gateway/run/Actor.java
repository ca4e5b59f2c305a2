package dev.portcullis.gateway.run;

import static java.util.Objects.requireNonNull;

import dev.portcullis.runtime.identity.SpiffeId;

/**
 * Who acts on a run, from their certificate and the gateway's role mapping.
 *
 * @param admin holds the admin role
 * @param sourceAddress the caller's "ip:port", for audit records
 */
public record Actor(SpiffeId identity, boolean admin, String sourceAddress) {
    public Actor {
        requireNonNull(identity, "identity is null");
        requireNonNull(sourceAddress, "sourceAddress is null");
    }
}
