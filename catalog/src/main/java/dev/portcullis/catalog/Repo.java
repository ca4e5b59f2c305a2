package dev.portcullis.catalog;

import static java.util.Objects.requireNonNull;

import dev.portcullis.runtime.identity.IdentityPattern;
import dev.portcullis.runtime.request.CatalogName;
import java.util.List;
import java.util.Map;

/**
 * A vetted repository.
 *
 * @param url clone URL
 * @param folders folders runs may use
 * @param callers identities that may ask for runs of this repository
 * @param secrets per environment, per command, the secrets a run is granted
 * @param drift the drift checks declared for this repository, in catalog order
 */
public record Repo(CatalogName name, String url, List<FolderPattern> folders, List<IdentityPattern> callers,
        List<Rule> rules, Map<CatalogName, Map<CatalogName, List<SecretGrant>>> secrets, List<DriftCheck> drift) {
    public Repo {
        requireNonNull(name, "name is null");
        requireNonNull(url, "url is null");
        folders = List.copyOf(folders);
        callers = List.copyOf(callers);
        rules = List.copyOf(rules);
        secrets = Map.copyOf(secrets);
        drift = List.copyOf(drift);
    }

    /** The secrets granted to {@code command} in {@code environment}; empty when none. */
    public List<SecretGrant> secretsFor(CatalogName environment, CatalogName command) {
        return secrets.getOrDefault(environment, Map.of()).getOrDefault(command, List.of());
    }
}
