package dev.portcullis.audit.witness;

import static java.util.Objects.requireNonNull;

/**
 * Where publishing to one witness stands, kept in the database so a restart (or another replica)
 * resumes: every stored checkpoint larger than {@code publishedSize} is still to be published.
 *
 * @param sink the witness's name
 * @param publishedSize the newest checkpoint size the witness accepted (0: none)
 * @param witnessSize the tree size the witness last said it holds (what the next proof starts from)
 * @param failures consecutive failed attempts
 * @param inconsistentSize the checkpoint size the witness last refused as inconsistent, already
 *     alerted (0: none)
 */
public record WitnessCursor(String sink, long publishedSize, long witnessSize, int failures, long inconsistentSize) {
    public WitnessCursor {
        requireNonNull(sink, "sink is null");
        if (publishedSize < 0 || witnessSize < 0 || failures < 0 || inconsistentSize < 0) {
            throw new IllegalArgumentException("sizes and failures are not negative");
        }
    }

    /** A witness nothing was published to yet. */
    public static WitnessCursor start(String sink) {
        return new WitnessCursor(sink, 0, 0, 0, 0);
    }

    WitnessCursor accepted(long size) {
        return new WitnessCursor(sink, size, size, 0, 0);
    }

    WitnessCursor holding(long size) {
        return new WitnessCursor(sink, publishedSize, size, failures, inconsistentSize);
    }

    WitnessCursor skippedTo(long size) {
        return new WitnessCursor(sink, size, witnessSize, failures, inconsistentSize);
    }

    WitnessCursor failed() {
        return new WitnessCursor(sink, publishedSize, witnessSize, failures + 1, inconsistentSize);
    }

    WitnessCursor inconsistentAt(long size) {
        return new WitnessCursor(sink, publishedSize, witnessSize, failures + 1, size);
    }
}
