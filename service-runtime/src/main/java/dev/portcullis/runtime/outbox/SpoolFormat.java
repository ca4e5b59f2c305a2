package dev.portcullis.runtime.outbox;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32;

/**
 * The bytes of the spool on disk. A spool is a directory of segment files
 * {@code segment-<base>.spool}, where {@code base} (20 decimal digits) is the spool position of
 * the segment's first byte; positions grow monotonically over the life of the directory, so a
 * single {@code long} names any point in it and the acknowledgement marker can say "everything
 * before this position was acknowledged".
 *
 * <pre>
 * segment = header frame*
 * header  = magic "PCSP" (4 bytes) | version 1 (int32)
 * frame   = length (int32, payload bytes, 1..MAX_PAYLOAD_BYTES)
 *         | crc (int32, CRC-32 of the 4 length bytes followed by the payload)
 *         | payload (a serialized portcullis.v1.AuditEvent)
 * </pre>
 *
 * All integers are big-endian. The CRC covers the length too, so a torn or flipped length is
 * caught instead of sending the parser to a wrong offset.
 */
final class SpoolFormat {
    static final int SEGMENT_MAGIC = 0x50435350; // "PCSP"
    static final int SEGMENT_VERSION = 1;
    static final int SEGMENT_HEADER_BYTES = 8;
    static final int FRAME_HEADER_BYTES = 8;
    /** Far above the largest valid event (64 attributes of 64 + 1024 characters are ~210 KB in UTF-8). */
    static final int MAX_PAYLOAD_BYTES = 1 << 20;

    private static final Pattern SEGMENT_NAME = Pattern.compile("segment-(\\d{20})\\.spool");

    private SpoolFormat() {}

    /** What is found at one offset of a segment. */
    sealed interface FrameRead {
        /** How many bytes the frame occupies; 0 for {@link Torn}. */
        int frameBytes();
    }

    /** A frame whose CRC matches. */
    record Valid(byte[] payload) implements FrameRead {
        @Override
        public int frameBytes() {
            return FRAME_HEADER_BYTES + payload.length;
        }
    }

    /** A frame with a plausible length whose CRC does not match: its length may be wrong too. */
    record Corrupt(int frameBytes) implements FrameRead {}

    /** No frame fits here: a partial header, an impossible length, or a payload cut short. */
    record Torn() implements FrameRead {
        @Override
        public int frameBytes() {
            return 0;
        }
    }

    static String segmentFileName(long base) {
        return String.format("segment-%020d.spool", base);
    }

    /** The base position named by a segment file's name, if it is one. */
    static Optional<Long> segmentBase(Path file) {
        Matcher matcher = SEGMENT_NAME.matcher(file.getFileName().toString());
        return matcher.matches() ? Optional.of(Long.parseLong(matcher.group(1))) : Optional.empty();
    }

    static ByteBuffer segmentHeader() {
        return ByteBuffer.allocate(SEGMENT_HEADER_BYTES).putInt(SEGMENT_MAGIC).putInt(SEGMENT_VERSION).flip();
    }

    static boolean hasValidHeader(FileChannel channel) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(SEGMENT_HEADER_BYTES);
        if (!readFully(channel, header, 0)) {
            return false;
        }
        return header.getInt(0) == SEGMENT_MAGIC && header.getInt(4) == SEGMENT_VERSION;
    }

    /** The frame holding {@code payload}, ready to write. */
    static ByteBuffer frame(byte[] payload) {
        if (payload.length == 0 || payload.length > MAX_PAYLOAD_BYTES) {
            throw new IllegalArgumentException("an audit event must serialize to 1-" + MAX_PAYLOAD_BYTES + " bytes");
        }
        ByteBuffer frame = ByteBuffer.allocate(FRAME_HEADER_BYTES + payload.length);
        frame.putInt(payload.length).putInt(crc(payload.length, payload)).put(payload);
        return frame.flip();
    }

    /**
     * Reads the frame at {@code offset} of a segment file whose readable bytes end at
     * {@code limit}. Never reads past {@code limit}, so a half-written tail is reported as
     * {@link Torn}, not parsed.
     */
    static FrameRead readFrame(FileChannel channel, long offset, long limit) throws IOException {
        if (limit - offset < FRAME_HEADER_BYTES) {
            return new Torn();
        }
        ByteBuffer header = ByteBuffer.allocate(FRAME_HEADER_BYTES);
        if (!readFully(channel, header, offset)) {
            return new Torn();
        }
        int length = header.getInt(0);
        int crc = header.getInt(4);
        if (length <= 0 || length > MAX_PAYLOAD_BYTES || limit - offset - FRAME_HEADER_BYTES < length) {
            return new Torn();
        }
        ByteBuffer payload = ByteBuffer.allocate(length);
        if (!readFully(channel, payload, offset + FRAME_HEADER_BYTES)) {
            return new Torn();
        }
        byte[] bytes = payload.array();
        return crc(length, bytes) == crc ? new Valid(bytes) : new Corrupt(FRAME_HEADER_BYTES + length);
    }

    private static int crc(int length, byte[] payload) {
        CRC32 crc = new CRC32();
        crc.update(ByteBuffer.allocate(4).putInt(length).flip());
        crc.update(payload);
        return (int) crc.getValue();
    }

    /** Fills {@code buffer} from {@code position}; false when the file ends first. */
    private static boolean readFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        long at = position;
        while (buffer.hasRemaining()) {
            int read = channel.read(buffer, at);
            if (read < 0) {
                return false;
            }
            at += read;
        }
        buffer.flip();
        return true;
    }

    /** Writes all of {@code buffer} at {@code position}. */
    static void writeFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        long at = position;
        while (buffer.hasRemaining()) {
            at += channel.write(buffer, at);
        }
    }
}
