package dev.portcullis.executor.artifact;

import java.io.InputStream;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where plan artifacts are kept between the run that produced them and the run that applies
 * them. Artifacts are keyed by {@link ArtifactLocation}: the producing run and the path the
 * command wrote the file to. Implementations are thread-safe and block for their I/O; the
 * content is passed through as is (it is never logged).
 */
public interface ArtifactStore extends AutoCloseable {

    /**
     * Stores {@code file} as the artifact at {@code location} and returns its reference, with the
     * SHA-256 and size of the bytes stored.
     *
     * @throws ArtifactException UNAVAILABLE when the store cannot take it
     */
    ArtifactRef put(ArtifactLocation location, Path file);

    /**
     * Where {@code uri} points in this store; empty when it is not a URI of this store (another
     * bucket, prefix or directory, or a malformed key), which callers must refuse.
     */
    Optional<ArtifactLocation> locate(String uri);

    /**
     * Opens the artifact's bytes for reading; the caller closes the stream and checks the digest.
     *
     * @throws ArtifactException MISSING or UNAVAILABLE
     */
    InputStream open(ArtifactLocation location);

    /**
     * Reads the stored artifact at {@code location} whole and returns its reference with the
     * SHA-256 and size of the bytes read, computed here: for an artifact a remote task uploaded,
     * whatever that task said about it is never trusted.
     *
     * @throws ArtifactException MISSING or UNAVAILABLE
     */
    ArtifactRef inspect(ArtifactLocation location);

    /**
     * Deletes the artifact at {@code location}; when there is none, nothing happens. For objects
     * that must not outlive their reading, such as a plan's JSON.
     *
     * @throws ArtifactException UNAVAILABLE when the store cannot delete it
     */
    void delete(ArtifactLocation location);

    /** Releases the store's clients; the artifacts stay. */
    @Override
    default void close() {}
}
