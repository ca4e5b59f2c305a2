package dev.portcullis.runtime.outbox;

import dev.portcullis.runtime.framing.FramedLog;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The spool on disk. A spool is a directory of segment files {@code segment-<base>.spool}, where
 * {@code base} (20 decimal digits) is the spool position of the segment's first byte; positions
 * grow monotonically over the life of the directory, so a single {@code long} names any point in
 * it and the acknowledgement marker can say "everything before this position was acknowledged".
 * Each segment is a {@link FramedLog} with magic "PCSP", version 1, whose payloads are serialized
 * {@code portcullis.v1.AuditEvent}s.
 */
final class SpoolFormat {
    /** Far above the largest valid event (64 attributes of 64 + 1024 characters are ~210 KB in UTF-8). */
    static final FramedLog SEGMENT = new FramedLog(0x50435350, 1, 1 << 20); // "PCSP"
    static final int SEGMENT_HEADER_BYTES = FramedLog.HEADER_BYTES;
    static final int FRAME_HEADER_BYTES = FramedLog.FRAME_HEADER_BYTES;

    private static final Pattern SEGMENT_NAME = Pattern.compile("segment-(\\d{20})\\.spool");

    private SpoolFormat() {}

    static String segmentFileName(long base) {
        return String.format("segment-%020d.spool", base);
    }

    /** The base position named by a segment file's name, if it is one. */
    static Optional<Long> segmentBase(Path file) {
        Matcher matcher = SEGMENT_NAME.matcher(file.getFileName().toString());
        return matcher.matches() ? Optional.of(Long.parseLong(matcher.group(1))) : Optional.empty();
    }
}
