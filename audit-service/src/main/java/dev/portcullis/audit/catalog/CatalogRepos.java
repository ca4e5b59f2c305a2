package dev.portcullis.audit.catalog;

import static java.util.Objects.requireNonNull;

import dev.portcullis.catalog.RefPattern;
import dev.portcullis.runtime.request.GitRef;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the audit service needs to know of the Service Catalog to judge events from outside
 * sources: which repositories Portcullis deploys (by name and location), which of their refs
 * are protected (those an infrastructure-changing command may run from), and where the catalog
 * itself is kept. Immutable.
 *
 * <p>When no catalog is configured, {@link #unconfigured} counts <em>every</em> repository as a
 * catalog repository: the pipeline rules then err on the side of alerting rather than going
 * quiet (fail closed).
 */
public final class CatalogRepos {
    /**
     * One deployed repository.
     *
     * @param protectedRefs the refs an infrastructure-changing command may run from, as the catalog writes them
     */
    public record Repo(String name, RepoUrl url, List<RefPattern> protectedRefs) {
        public Repo {
            requireNonNull(name, "name is null");
            requireNonNull(url, "url is null");
            protectedRefs = List.copyOf(protectedRefs);
        }
    }

    private final boolean configured;
    private final Map<RepoUrl, Repo> byUrl;
    private final Map<String, Repo> byName;
    private final Optional<RepoUrl> catalogRepository;
    private final List<RefPattern> alwaysProtected;

    private CatalogRepos(boolean configured, Map<String, Repo> byName, Optional<RepoUrl> catalogRepository,
            List<RefPattern> alwaysProtected) {
        this.configured = configured;
        this.byName = Map.copyOf(byName);
        this.byUrl = this.byName.values().stream()
                .collect(java.util.stream.Collectors.toUnmodifiableMap(Repo::url, repo -> repo, (a, b) -> a));
        this.catalogRepository = requireNonNull(catalogRepository, "catalogRepository is null");
        this.alwaysProtected = List.copyOf(alwaysProtected);
    }

    /**
     * The repositories of a loaded catalog.
     *
     * @param catalogRepository where the catalog file itself is kept, when known
     * @param alwaysProtected refs protected in every repository, on top of the catalog's
     */
    public static CatalogRepos of(Map<String, Repo> byName, Optional<RepoUrl> catalogRepository,
            List<RefPattern> alwaysProtected) {
        return new CatalogRepos(true, byName, catalogRepository, alwaysProtected);
    }

    /** No catalog configured: every repository counts as deployed by Portcullis. */
    public static CatalogRepos unconfigured(Optional<RepoUrl> catalogRepository, List<RefPattern> alwaysProtected) {
        return new CatalogRepos(false, Map.of(), catalogRepository, alwaysProtected);
    }

    /** True when {@code url} is a repository Portcullis deploys (always true without a catalog). */
    public boolean deploys(RepoUrl url) {
        return !configured || byUrl.containsKey(url);
    }

    /** The catalog repository at {@code url}, if the catalog names it. */
    public Optional<Repo> byUrl(RepoUrl url) {
        return Optional.ofNullable(byUrl.get(url));
    }

    /** The catalog repository named {@code name}, if there is one. */
    public Optional<Repo> byName(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    /** True when {@code url} is where the catalog itself is kept. */
    public boolean isCatalogRepository(RepoUrl url) {
        return catalogRepository.map(url::equals).orElse(false);
    }

    /**
     * True when {@code ref} is protected in the repository at {@code url}: it matches a ref an
     * infrastructure-changing command may run from there or a configured always-protected pattern
     * (with the catalog's meaning of {@link RefPattern}), or is the repository's default branch
     * ({@code defaultBranch}, e.g. {@code main}; empty when unknown). A {@code ref} that is not a
     * valid full git ref (git never reports one) matches no pattern.
     */
    public boolean isProtected(RepoUrl url, String ref, String defaultBranch) {
        if (!defaultBranch.isEmpty() && ref.equals("refs/heads/" + defaultBranch)) {
            return true;
        }
        GitRef parsed;
        try {
            parsed = new GitRef(ref);
        } catch (IllegalArgumentException notARef) {
            return false;
        }
        if (matchesAny(alwaysProtected, parsed)) {
            return true;
        }
        return byUrl(url).map(repo -> matchesAny(repo.protectedRefs(), parsed)).orElse(false);
    }

    private static boolean matchesAny(List<RefPattern> patterns, GitRef ref) {
        for (RefPattern pattern : patterns) {
            if (pattern.matches(ref)) {
                return true;
            }
        }
        return false;
    }

    /** True when a catalog is configured; false means every repository counts as deployed. */
    public boolean configured() {
        return configured;
    }

    /** How many repositories the catalog names (0 without a catalog). */
    public int size() {
        return byName.size();
    }
}
