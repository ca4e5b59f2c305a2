package dev.portcullis.gateway.drift;

import static java.util.Objects.requireNonNull;

import dev.portcullis.catalog.DriftTarget;
import dev.portcullis.runtime.request.CatalogName;
import dev.portcullis.runtime.request.RepoFolder;

/** What identifies a drift target: the catalog gives each repo, folder and environment at most one schedule. */
public record DriftTargetId(CatalogName repo, RepoFolder folder, CatalogName environment) {
    public DriftTargetId {
        requireNonNull(repo, "repo is null");
        requireNonNull(folder, "folder is null");
        requireNonNull(environment, "environment is null");
    }

    public static DriftTargetId of(DriftTarget target) {
        return new DriftTargetId(target.repo(), target.folder(), target.environment());
    }

    @Override
    public String toString() {
        return repo + " folder '" + folder + "' in " + environment;
    }
}
