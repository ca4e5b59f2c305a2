package dev.portcullis.gateway.run;

import static java.util.Objects.requireNonNull;

import dev.portcullis.runtime.request.Sha256Digest;

/**
 * The plan artifact a plan run produced, as the executor stored it.
 *
 * @param uri where the executor stored it
 * @param sha256 its digest: approvals are given for it and the apply refuses any other
 * @param sizeBytes its size
 */
public record PlanArtifact(String uri, Sha256Digest sha256, long sizeBytes) {
    public PlanArtifact {
        requireNonNull(uri, "uri is null");
        requireNonNull(sha256, "sha256 is null");
        if (sizeBytes < 0) {
            throw new IllegalArgumentException("sizeBytes must not be negative");
        }
    }
}
