package dev.portcullis.executor.task;

import static java.util.Objects.requireNonNull;

import dev.portcullis.executor.artifact.ArtifactDigests;
import dev.portcullis.executor.artifact.ArtifactException;
import dev.portcullis.executor.artifact.ArtifactLocation;
import dev.portcullis.executor.artifact.ArtifactPath;
import dev.portcullis.executor.artifact.ArtifactRef;
import dev.portcullis.executor.artifact.ArtifactStore;
import dev.portcullis.runtime.error.FieldViolation;
import dev.portcullis.runtime.error.InvalidRequestException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings a task's plan artifact from the {@link ArtifactStore} to where its command runs, checked
 * against the SHA-256 the task was given: fetched into {@code incoming/} and later placed in the
 * checkout (backends that collect files), or only verified in the store (backends whose task
 * downloads it itself). A plan whose bytes differ never reaches a command. Stateless apart from the
 * incoming directory, where each fetch gets a file of its own; thread-safe.
 */
final class PlanStaging {
    private static final Logger log = LoggerFactory.getLogger(PlanStaging.class);

    private final ArtifactStore artifacts;
    private final Path incomingDir;

    /** @param incomingDir where fetched plans wait for their checkout; emptied by {@link #clearIncoming()} */
    PlanStaging(ArtifactStore artifacts, Path incomingDir) {
        this.artifacts = requireNonNull(artifacts, "artifacts is null");
        this.incomingDir = requireNonNull(incomingDir, "incomingDir is null");
    }

    /** Creates the incoming directory and removes the plans an earlier executor left there. */
    void clearIncoming() {
        try {
            Files.createDirectories(incomingDir);
            try (var stale = Files.list(incomingDir)) {
                for (Path file : stale.toList()) {
                    Files.deleteIfExists(file);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("the executor's incoming directory cannot be prepared", e);
        }
    }

    /** @throws InvalidRequestException when the task's plan is not an artifact of this executor's store */
    void requireKnown(TaskSpec spec) {
        spec.artifacts().plan().ifPresent(plan -> {
            if (artifacts.locate(plan.uri()).isEmpty()) {
                throw new InvalidRequestException(List.of(new FieldViolation("task.plan_artifact.uri",
                        "is not an artifact of this executor's store")));
            }
        });
    }

    /**
     * Fetches the plan {@code ref} into a new file of the incoming directory and checks its digest.
     * The caller owns the file: {@link #discard} it when the task ends.
     *
     * @throws TaskRefusedException PLAN_DIGEST_MISMATCH or PLAN_UNAVAILABLE; nothing is left behind
     */
    Path fetch(TaskSpec spec, ArtifactRef ref) {
        ArtifactLocation location = artifacts.locate(ref.uri()).orElseThrow();
        Path target = incomingDir.resolve(spec.runId().value() + "-" + UUID.randomUUID());
        try {
            ArtifactDigests.fetchVerified(artifacts, location, ref, target);
        } catch (ArtifactException e) {
            throw refusal(e);
        }
        return target;
    }

    /**
     * Checks the stored plan's bytes for a task that fetches it itself.
     *
     * @throws TaskRefusedException PLAN_DIGEST_MISMATCH or PLAN_UNAVAILABLE
     */
    void verify(ArtifactRef ref) {
        try {
            ArtifactDigests.verify(artifacts, artifacts.locate(ref.uri()).orElseThrow(), ref);
        } catch (ArtifactException e) {
            throw refusal(e);
        }
    }

    private static TaskRefusedException refusal(ArtifactException e) {
        boolean mismatch = e.problem() == ArtifactException.Problem.DIGEST_MISMATCH;
        return new TaskRefusedException(mismatch ? TaskFailure.PLAN_DIGEST_MISMATCH : TaskFailure.PLAN_UNAVAILABLE,
                (mismatch ? "PLAN_DIGEST_MISMATCH: " : "PLAN_UNAVAILABLE: ") + e.getMessage());
    }

    /**
     * Copies the {@code fetched} plan into {@code folder} at the path it was produced at.
     *
     * @return that path
     * @throws TaskRefusedException PLAN_UNAVAILABLE when it cannot be placed there
     */
    ArtifactPath place(TaskSpec spec, Path fetched, Path checkout, Path folder) {
        ArtifactPath path = spec.artifacts().plan().flatMap(ref -> artifacts.locate(ref.uri())).orElseThrow().path();
        try {
            Path target = confinedNewFile(checkout, folder, path);
            Files.copy(fetched, target);
        } catch (IOException | IllegalStateException e) {
            throw new TaskRefusedException(TaskFailure.PLAN_UNAVAILABLE, "PLAN_UNAVAILABLE: the plan artifact cannot be placed at '"
                    + path + "' in the folder: " + (e instanceof IllegalStateException ? e.getMessage() : "it cannot be written"));
        }
        return path;
    }

    /** Deletes a fetched plan; a failure is logged, not thrown (the next start clears it). */
    void discard(TaskSpec spec, Path fetched) {
        try {
            Files.deleteIfExists(fetched);
        } catch (IOException e) {
            log.atWarn().addKeyValue("run_id", spec.runId().value()).log("task.plan_copy_not_deleted");
        }
    }

    /**
     * {@code folder/path} as a new file: every directory on the way is a real directory inside
     * the checkout (created when missing), and nothing exists at the path yet — so a symbolic link
     * in the repository cannot redirect the write.
     */
    private static Path confinedNewFile(Path checkout, Path folder, ArtifactPath path) throws IOException {
        Path root = checkout.toRealPath();
        Path directory = folder.toRealPath();
        if (!directory.startsWith(root)) {
            throw new IllegalStateException("the folder leads outside the checkout");
        }
        String[] segments = path.value().split("/");
        for (int i = 0; i < segments.length - 1; i++) {
            directory = directory.resolve(segments[i]);
            if (Files.exists(directory, LinkOption.NOFOLLOW_LINKS)) {
                if (!Files.isDirectory(directory, LinkOption.NOFOLLOW_LINKS)) {
                    throw new IllegalStateException("'" + segments[i] + "' is not a directory");
                }
            } else {
                Files.createDirectory(directory);
            }
        }
        Path target = directory.resolve(segments[segments.length - 1]);
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            throw new IllegalStateException("the checkout already holds a file there");
        }
        return target;
    }
}
