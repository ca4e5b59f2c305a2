package dev.portcullis.audit.catalog;

import static java.util.Objects.requireNonNull;

import java.util.function.Supplier;

/**
 * The catalog's repositories as currently in force: followed from the catalog file, or fixed
 * (no catalog configured). Thread-safe.
 */
public final class CatalogView implements Supplier<CatalogRepos> {
    private final Supplier<CatalogRepos> source;

    private CatalogView(Supplier<CatalogRepos> source) {
        this.source = requireNonNull(source, "source is null");
    }

    /** Follows {@code file} as it changes. */
    public static CatalogView watching(CatalogFile file) {
        return new CatalogView(file);
    }

    /** Always {@code repos}. */
    public static CatalogView fixed(CatalogRepos repos) {
        requireNonNull(repos, "repos is null");
        return new CatalogView(() -> repos);
    }

    @Override
    public CatalogRepos get() {
        return source.get();
    }
}
