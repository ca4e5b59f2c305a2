package dev.portcullis.executor.secret;

import static java.util.Objects.requireNonNull;

import dev.portcullis.catalog.SecretGrant;

/**
 * A dynamic secret's lease, kept so it can be revoked when the task ends.
 *
 * @param grant the grant it was issued for
 * @param id Vault's lease id; part of a lease response, so never printed
 */
record Lease(SecretGrant grant, String id) {
    Lease {
        requireNonNull(grant, "grant is null");
        requireNonNull(id, "id is null");
    }

    @Override
    public String toString() {
        return "Lease[" + grant + "]";
    }
}
