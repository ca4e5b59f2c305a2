package dev.portcullis.executor.artifact;

import static java.util.Objects.requireNonNull;

import dev.portcullis.runtime.request.Sha256Digest;

/**
 * A stored artifact: where it is, the SHA-256 of its bytes, and its size.
 *
 * @param uri {@code file:///…} or {@code s3://bucket/key}, at most 2048 printable ASCII characters
 * @param sha256 SHA-256 of the artifact's bytes
 * @param sizeBytes its size in bytes
 */
public record ArtifactRef(String uri, Sha256Digest sha256, long sizeBytes) {
    public ArtifactRef {
        requireNonNull(uri, "uri is null");
        requireNonNull(sha256, "sha256 is null");
        if (uri.isEmpty() || uri.length() > 2048 || uri.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
            throw new IllegalArgumentException("uri must be 1-2048 printable ASCII characters without spaces");
        }
        if (!uri.startsWith("file:/") && !uri.startsWith("s3://")) {
            throw new IllegalArgumentException("uri must be a file:// or s3:// URI");
        }
        if (sizeBytes < 0) {
            throw new IllegalArgumentException("size must not be negative");
        }
    }
}
