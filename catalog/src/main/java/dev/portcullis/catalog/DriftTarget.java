package dev.portcullis.catalog;

import static java.util.Objects.requireNonNull;

import dev.portcullis.runtime.request.CatalogName;
import dev.portcullis.runtime.request.GitRef;
import dev.portcullis.runtime.request.RepoFolder;
import java.time.Duration;
import java.util.List;

/**
 * One thing a drift check watches: a folder of a repo in an environment, planned with
 * {@code command} at {@code ref}'s head. A target is identified by repo, folder and environment:
 * the catalog gives each such triple at most one schedule. Immutable.
 *
 * @param every how long from one check's start to the next, before the jitter offset
 * @param jitter the most the target's {@link DriftSchedule#jitterOffset offset} can be
 * @param quietHours when no check of this target starts
 */
public record DriftTarget(CatalogName repo, RepoFolder folder, CatalogName environment, CatalogName command,
        GitRef ref, Duration every, Duration jitter, List<ChangeWindow> quietHours) {
    /**
     * @throws IllegalArgumentException for {@code every} outside {@link DriftCheck#MIN_EVERY} to
     *     {@link DriftCheck#MAX_EVERY}, or {@code jitter} negative or above half of {@code every}
     */
    public DriftTarget {
        requireNonNull(repo, "repo is null");
        requireNonNull(folder, "folder is null");
        requireNonNull(environment, "environment is null");
        requireNonNull(command, "command is null");
        requireNonNull(ref, "ref is null");
        DriftCheck.checkTiming(every, jitter);
        quietHours = List.copyOf(quietHours);
    }
}
