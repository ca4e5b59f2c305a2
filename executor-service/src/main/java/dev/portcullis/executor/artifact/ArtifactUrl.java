package dev.portcullis.executor.artifact;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.util.Optional;

/**
 * A presigned URL to one artifact: a credential for one object and one method until it expires.
 * Not a record, so that it never prints its value; no {@code equals}, it is never compared.
 */
public final class ArtifactUrl {
    private final URI uri;

    public ArtifactUrl(URI uri) {
        this.uri = requireNonNull(uri, "uri is null");
        if (!"https".equals(uri.getScheme()) && !"http".equals(uri.getScheme())) {
            throw new IllegalArgumentException("an artifact URL is http(s)");
        }
    }

    /** The URL itself: for handing it to the task and for its redactor, nothing else. */
    public String reveal() {
        return uri.toString();
    }

    /**
     * The value of its {@code X-Amz-Signature} query parameter, if it has one: the part a log
     * must never show even when the rest of the URL is cut off.
     */
    public Optional<String> signature() {
        String query = uri.getRawQuery();
        if (query == null) {
            return Optional.empty();
        }
        for (String parameter : query.split("&")) {
            if (parameter.startsWith("X-Amz-Signature=")) {
                return Optional.of(parameter.substring("X-Amz-Signature=".length()));
            }
        }
        return Optional.empty();
    }

    @Override
    public String toString() {
        return "ArtifactUrl[redacted]";
    }
}
