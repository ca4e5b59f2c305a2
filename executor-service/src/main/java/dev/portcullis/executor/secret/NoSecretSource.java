package dev.portcullis.executor.secret;

import dev.portcullis.catalog.SecretGrant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The secret source when no Vault is configured: a task without grants runs with no secrets; a
 * task that asks for any secret fails before it starts, rather than running without them.
 * Thread-safe.
 */
public final class NoSecretSource implements SecretSource {

    public NoSecretSource() {}

    /**
     * An empty {@link TaskSecrets} for no grants.
     *
     * @throws SecretUnavailableException for any grant, naming the missing setting and the grants
     */
    @Override
    public TaskSecrets open(List<SecretGrant> grants) {
        List<SecretGrant> wanted = List.copyOf(new LinkedHashSet<>(grants));
        if (wanted.isEmpty()) {
            return TaskSecrets.none();
        }
        throw new SecretUnavailableException(wanted,
                "this task needs secrets but no Vault is configured (portcullis.executor.vault.address); it asks for "
                        + wanted.stream().map(SecretGrant::toString).collect(Collectors.joining(", ")));
    }
}
