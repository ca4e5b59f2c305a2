package dev.portcullis.runtime.outbox;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;

/**
 * One segment file of the spool: the bytes from spool position {@code base} (its header) up to
 * {@code end}. Only the newest segment is written to; the others are sealed.
 */
final class Segment {
    private final long base;
    private final Path file;
    /** Spool position after the last complete frame; guarded by the {@link SpoolSegments} that holds it. */
    private long end;

    Segment(long base, Path file, long end) {
        this.base = base;
        this.file = requireNonNull(file, "file is null");
        this.end = end;
    }

    long base() {
        return base;
    }

    Path file() {
        return file;
    }

    long end() {
        return end;
    }

    void end(long end) {
        this.end = end;
    }

    /** The spool position of the segment's first frame. */
    long firstFrame() {
        return base + SpoolFormat.SEGMENT_HEADER_BYTES;
    }
}
