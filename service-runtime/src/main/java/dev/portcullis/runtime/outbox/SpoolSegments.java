package dev.portcullis.runtime.outbox;

import dev.portcullis.runtime.outbox.SpoolReader.Window;
import java.util.ArrayList;
import java.util.List;

/**
 * The spool's segments, oldest first, and how far each may be read: the writer appends to the
 * last and publishes its end once frames are written, the shipping thread reads the published
 * part and drops segments once everything in them is acknowledged.
 *
 * <p>Thread-safe: the list and each {@link Segment#end()} are guarded by this object's monitor.
 */
final class SpoolSegments {
    // Guarded by this.
    private final List<Segment> segments; // oldest first; never empty

    /** @param segments the recovered segments, oldest first; at least one */
    SpoolSegments(List<Segment> segments) {
        if (segments.isEmpty()) {
            throw new IllegalArgumentException("a spool has at least one segment");
        }
        this.segments = new ArrayList<>(segments);
    }

    /** The segment the writer appends to. */
    synchronized Segment last() {
        return segments.get(segments.size() - 1);
    }

    /** Makes {@code segment}'s frames up to spool position {@code end} readable. */
    synchronized void publish(Segment segment, long end) {
        segment.end(end);
    }

    /** Seals {@code sealed} at {@code end} and makes {@code next} the segment written to. */
    synchronized void roll(Segment sealed, long end, Segment next) {
        sealed.end(end);
        segments.add(next);
    }

    /**
     * Removes the segments that hold nothing at or after spool position {@code acknowledged}
     * (the last always stays) and returns them, oldest first, for their files to be deleted.
     */
    synchronized List<Segment> removeAcknowledged(long acknowledged) {
        List<Segment> obsolete = new ArrayList<>();
        while (segments.size() > 1 && segments.get(0).end() <= acknowledged) {
            obsolete.add(segments.remove(0));
        }
        return obsolete;
    }

    /** The readable window of the segment that holds spool position {@code position} or the next frame after it. */
    synchronized Window locate(long position) {
        int index = 0;
        for (int i = 0; i < segments.size() && segments.get(i).base() <= position; i++) {
            index = i;
        }
        Segment segment = segments.get(index);
        long at = Math.max(position, segment.firstFrame());
        if (at >= segment.end() && index + 1 < segments.size()) {
            segment = segments.get(index + 1);
            at = segment.firstFrame();
        }
        return new Window(segment.file(), segment.base(), at, segment.end());
    }
}
