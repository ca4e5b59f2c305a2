package dev.portcullis.audit.source;

import static java.util.Objects.requireNonNull;

/**
 * A configured source with what it has delivered, as the operator sees it.
 *
 * @param silent true when it is watched and has been silent for longer than its max silence
 */
public record SourceStatus(Source source, SourceActivity activity, boolean silent) {
    public SourceStatus {
        requireNonNull(source, "source is null");
        requireNonNull(activity, "activity is null");
    }
}
