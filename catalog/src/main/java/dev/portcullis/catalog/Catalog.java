package dev.portcullis.catalog;

import static java.util.Objects.requireNonNull;

import dev.portcullis.runtime.request.CatalogName;
import dev.portcullis.runtime.request.Sha256Digest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A validated Service Catalog. Immutable: a new version is a new object, swapped in whole.
 *
 * @param version SHA-256 of the file's bytes
 * @param content the file's text, as loaded
 */
public record Catalog(Sha256Digest version, String content, Map<CatalogName, Environment> environments,
        Map<CatalogName, Command> commands, Map<CatalogName, Repo> repos) {
    public Catalog {
        requireNonNull(version, "version is null");
        requireNonNull(content, "content is null");
        environments = Map.copyOf(environments);
        commands = Map.copyOf(commands);
        repos = Map.copyOf(repos);
    }

    public Optional<Repo> repo(CatalogName name) {
        return Optional.ofNullable(repos.get(name));
    }

    public Optional<Environment> environment(CatalogName name) {
        return Optional.ofNullable(environments.get(name));
    }

    public Optional<Command> command(CatalogName name) {
        return Optional.ofNullable(commands.get(name));
    }

    /**
     * Every drift target the catalog declares, one per repo, folder and environment, ordered by
     * repo, folder and environment. The gateway's drift scheduler runs them (#20).
     */
    public List<DriftTarget> driftTargets() {
        List<DriftTarget> targets = new ArrayList<>();
        for (Repo repo : repos.values()) {
            for (DriftCheck check : repo.drift()) {
                targets.addAll(check.targets(repo.name()));
            }
        }
        targets.sort(Comparator.comparing((DriftTarget target) -> target.repo().value())
                .thenComparing(target -> target.folder().value())
                .thenComparing(target -> target.environment().value()));
        return List.copyOf(targets);
    }
}
