package dev.portcullis.policy.catalog;

import static java.util.Objects.requireNonNull;

import dev.portcullis.catalog.Catalog;
import java.time.Instant;

/** A catalog and when it took effect. */
public record LoadedCatalog(Catalog catalog, Instant loadedAt) {
    public LoadedCatalog {
        requireNonNull(catalog, "catalog is null");
        requireNonNull(loadedAt, "loadedAt is null");
    }
}
