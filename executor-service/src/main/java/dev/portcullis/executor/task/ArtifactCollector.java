package dev.portcullis.executor.task;

import static java.util.Objects.requireNonNull;

import dev.portcullis.executor.artifact.ArtifactException;
import dev.portcullis.executor.artifact.ArtifactLocation;
import dev.portcullis.executor.artifact.ArtifactPath;
import dev.portcullis.executor.artifact.ArtifactRef;
import dev.portcullis.executor.artifact.ArtifactStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * Takes the artifact a successful task produced into the {@link ArtifactStore} and digests it
 * here: from the task's checkout (backends that collect files), or by reading what the task
 * uploaded itself — whatever the task printed about it counts for nothing. Stateless; thread-safe.
 */
final class ArtifactCollector {
    private final ArtifactStore artifacts;

    ArtifactCollector(ArtifactStore artifacts) {
        this.artifacts = requireNonNull(artifacts, "artifacts is null");
    }

    /**
     * Stores the file the task wrote at {@code path} in {@code folder}.
     *
     * @throws TaskRefusedException ARTIFACT_MISSING when there is no regular file there inside the
     *     checkout, ARTIFACT_UNAVAILABLE when it cannot be stored
     */
    ArtifactRef collect(TaskSpec spec, ArtifactPath path, Path checkout, Path folder) {
        Path file = folder.resolve(path.value());
        Path real;
        try {
            real = file.toRealPath();
            if (!real.startsWith(checkout.toRealPath())) {
                throw new TaskRefusedException(TaskFailure.ARTIFACT_MISSING, "the artifact '" + path + "' leads outside the checkout");
            }
        } catch (IOException e) {
            throw new TaskRefusedException(TaskFailure.ARTIFACT_MISSING,
                    "the command succeeded but did not write the artifact '" + path + "'");
        }
        if (!Files.isRegularFile(real, LinkOption.NOFOLLOW_LINKS)) {
            throw new TaskRefusedException(TaskFailure.ARTIFACT_MISSING, "the artifact '" + path + "' is not a regular file");
        }
        try {
            return artifacts.put(new ArtifactLocation(spec.runId(), path), real);
        } catch (ArtifactException e) {
            throw new TaskRefusedException(TaskFailure.ARTIFACT_UNAVAILABLE, e.getMessage());
        }
    }

    /**
     * Reads what the task uploaded to {@code path} and digests it.
     *
     * @throws TaskRefusedException ARTIFACT_MISSING when nothing was uploaded, ARTIFACT_UNAVAILABLE
     *     when it cannot be read
     */
    ArtifactRef inspectUploaded(TaskSpec spec, ArtifactPath path) {
        try {
            return artifacts.inspect(new ArtifactLocation(spec.runId(), path));
        } catch (ArtifactException e) {
            boolean missing = e.problem() == ArtifactException.Problem.MISSING;
            throw new TaskRefusedException(missing ? TaskFailure.ARTIFACT_MISSING : TaskFailure.ARTIFACT_UNAVAILABLE,
                    missing ? "the command succeeded but the artifact '" + path + "' was not uploaded" : e.getMessage());
        }
    }

    /** The task's log line about a stored artifact. */
    static String stored(ArtifactPath path, ArtifactRef ref) {
        return "artifact " + path + " stored, SHA-256 " + ref.sha256() + ", " + ref.sizeBytes() + " bytes";
    }
}
