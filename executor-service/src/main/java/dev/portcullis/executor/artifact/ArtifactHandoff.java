package dev.portcullis.executor.artifact;

import java.time.Duration;

/**
 * Hands artifacts to tasks that run where the executor's files are not (ECS Fargate): each task
 * gets short-lived URLs to exactly its own object in the store, never the executor's credentials.
 * The executor still checks every byte itself (see {@link ArtifactStore#inspect}); a URL only moves
 * bytes. The URLs are credentials: they travel as {@link ArtifactUrl}, whose {@code toString}
 * reveals nothing, and a task's log redacts them. Implementations are thread-safe and do not block
 * on the network.
 */
public interface ArtifactHandoff {

    /**
     * A URL the task uploads the artifact at {@code location} to with one HTTP {@code PUT}. It
     * carries no digest (the task learns it only when its command has run) and writes once: the
     * request must send {@code If-None-Match: *}, so an artifact, once stored, is never replaced.
     *
     * @param validFor how long the URL works, at most seven days
     * @throws ArtifactException UNAVAILABLE when this store cannot hand artifacts out
     */
    ArtifactUrl uploadUrl(ArtifactLocation location, Duration validFor);

    /**
     * A URL the task downloads the artifact at {@code location} from with one HTTP {@code GET}.
     *
     * @param validFor how long the URL works, at most seven days
     * @throws ArtifactException UNAVAILABLE when this store cannot hand artifacts out
     */
    ArtifactUrl downloadUrl(ArtifactLocation location, Duration validFor);

    /** For stores that cannot hand artifacts to remote tasks (a local directory): every call fails. */
    static ArtifactHandoff unsupported() {
        return new ArtifactHandoff() {
            @Override
            public ArtifactUrl uploadUrl(ArtifactLocation location, Duration validFor) {
                throw refusal(location);
            }

            @Override
            public ArtifactUrl downloadUrl(ArtifactLocation location, Duration validFor) {
                throw refusal(location);
            }

            private ArtifactException refusal(ArtifactLocation location) {
                return new ArtifactException(ArtifactException.Problem.UNAVAILABLE, "the artifact " + location.key()
                        + " cannot be handed to a task on this backend: the artifact store is not S3", null);
            }
        };
    }
}
