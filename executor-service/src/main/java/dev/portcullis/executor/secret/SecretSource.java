package dev.portcullis.executor.secret;

import dev.portcullis.catalog.SecretGrant;
import java.util.List;

/**
 * Port: fetches exactly the granted secrets for one task, and nothing else.
 *
 * <p>Implementations are thread-safe: tasks open their secrets concurrently.
 */
public interface SecretSource {

    /**
     * Reads every grant. The returned {@link TaskSecrets} owns any dynamic leases taken and revokes
     * them on {@link TaskSecrets#close()}; the caller closes it when the task ends. Either every
     * grant is read or none is: when one fails, leases already taken are revoked before this throws.
     * Blocks on the network; no grants means no request at all.
     *
     * @param grants what the task may read; duplicates are read once
     * @throws SecretUnavailableException when a grant cannot be read (not configured, denied,
     *     missing, malformed, unreachable source) or two grants define the same environment
     *     variable; its message names the grant path and what failed, never a value or token
     */
    TaskSecrets open(List<SecretGrant> grants);
}
