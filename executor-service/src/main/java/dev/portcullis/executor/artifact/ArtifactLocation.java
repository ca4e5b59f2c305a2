package dev.portcullis.executor.artifact;

import static java.util.Objects.requireNonNull;

import dev.portcullis.runtime.request.RunId;
import java.util.Optional;

/**
 * An artifact's place in a store: the run that produced it and the path it was produced at.
 * Every store keys artifacts this way, so the path an apply finds its plan at is the path the
 * plan command wrote it to.
 */
public record ArtifactLocation(RunId runId, ArtifactPath path) {
    public ArtifactLocation {
        requireNonNull(runId, "runId is null");
        requireNonNull(path, "path is null");
    }

    /** {@code RUN_ID/PATH}: the artifact's key below a store's root. */
    public String key() {
        return runId.value() + "/" + path.value();
    }

    /** The location a key below a store's root names, if it is one. */
    public static Optional<ArtifactLocation> ofKey(String key) {
        int slash = key.indexOf('/');
        if (slash < 0) {
            return Optional.empty();
        }
        try {
            return Optional.of(new ArtifactLocation(new RunId(key.substring(0, slash)),
                    new ArtifactPath(key.substring(slash + 1))));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
