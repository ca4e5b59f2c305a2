package dev.portcullis.runtime.transport;

import static java.util.Objects.requireNonNull;

import dev.portcullis.runtime.identity.Credential;
import dev.portcullis.runtime.identity.SpiffeId;
import dev.portcullis.runtime.role.Role;
import io.grpc.Context;
import java.util.Set;

/**
 * The authenticated caller of the current RPC, set by {@link AccessInterceptor} after the
 * caller passed the method's access rule.
 *
 * @param identity SPIFFE ID from the client certificate, or mapped from a verified identity token
 * @param roles roles the identity holds under the service's role mapping
 * @param remoteAddress the peer's address as "ip:port", for audit records
 * @param credential how the caller proved {@code identity}
 */
public record Caller(SpiffeId identity, Set<Role> roles, String remoteAddress, Credential credential) {
    static final Context.Key<Caller> CONTEXT_KEY = Context.key("portcullis-caller");

    public Caller {
        requireNonNull(identity, "identity is null");
        roles = Set.copyOf(requireNonNull(roles, "roles is null"));
        requireNonNull(remoteAddress, "remoteAddress is null");
        requireNonNull(credential, "credential is null");
    }

    /** A caller that presented a verified client certificate. */
    public Caller(SpiffeId identity, Set<Role> roles, String remoteAddress) {
        this(identity, roles, remoteAddress, new Credential.ClientCertificate());
    }

    /**
     * The caller of the RPC running on this thread.
     *
     * @throws IllegalStateException outside an RPC that passed {@link AccessInterceptor}
     */
    public static Caller current() {
        Caller caller = CONTEXT_KEY.get();
        if (caller == null) {
            throw new IllegalStateException("no authenticated caller in this context");
        }
        return caller;
    }

    /** True when the caller holds {@code role}. */
    public boolean has(Role role) {
        return roles.contains(role);
    }
}
