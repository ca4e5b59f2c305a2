package dev.portcullis.runtime.framing;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.zip.CRC32;

/**
 * The one on-disk format of Portcullis's append-only files (the audit outbox's spool segments,
 * the executor's task journals): a header naming the file's kind and version, then CRC-checked
 * frames, each holding one opaque payload.
 *
 * <pre>
 * file   = header frame*
 * header = magic (int32) | version (int32)
 * frame  = length (int32, payload bytes, 1..maxPayloadBytes)
 *        | crc (int32, CRC-32 of the 4 length bytes followed by the payload)
 *        | payload
 * </pre>
 *
 * All integers are big-endian. The CRC covers the length too, so a torn or flipped length is
 * caught instead of sending the parser to a wrong offset. A reader never reads past the limit it
 * is given, so a half-written tail (a crash mid-write) is reported as {@link Torn}, not parsed.
 * Immutable and thread-safe; the files' writers serialise their own appends.
 *
 * @param magic the first four bytes of every file of this kind
 * @param version the format version of the payloads, checked with the magic
 * @param maxPayloadBytes the largest payload a frame may hold; a larger length reads as torn
 */
public record FramedLog(int magic, int version, int maxPayloadBytes) {
    /** The bytes of the file header. */
    public static final int HEADER_BYTES = 8;
    /** The bytes of a frame before its payload (length and CRC). */
    public static final int FRAME_HEADER_BYTES = 8;

    public FramedLog {
        if (maxPayloadBytes < 1) {
            throw new IllegalArgumentException("maxPayloadBytes must be positive");
        }
    }

    /** What is found at one offset of a file. */
    public sealed interface Frame {
        /** How many bytes the frame occupies; 0 for {@link Torn}. */
        int frameBytes();
    }

    /** A frame whose CRC matches. */
    public record Valid(byte[] payload) implements Frame {
        @Override
        public int frameBytes() {
            return FRAME_HEADER_BYTES + payload.length;
        }
    }

    /** A frame with a plausible length whose CRC does not match: its length may be wrong too. */
    public record Corrupt(int frameBytes) implements Frame {}

    /** No frame fits here: a partial header, an impossible length, or a payload cut short. */
    public record Torn() implements Frame {
        @Override
        public int frameBytes() {
            return 0;
        }
    }

    /** The file header, ready to write at offset 0. */
    public ByteBuffer header() {
        return ByteBuffer.allocate(HEADER_BYTES).putInt(magic).putInt(version).flip();
    }

    /** Whether the file starts with this format's header. */
    public boolean hasHeader(FileChannel channel) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES);
        if (!readFully(channel, header, 0)) {
            return false;
        }
        return header.getInt(0) == magic && header.getInt(4) == version;
    }

    /**
     * The frame holding {@code payload}, ready to write.
     *
     * @throws IllegalArgumentException when the payload is empty or larger than {@link #maxPayloadBytes}
     */
    public ByteBuffer frame(byte[] payload) {
        if (payload.length == 0 || payload.length > maxPayloadBytes) {
            throw new IllegalArgumentException("a frame's payload must be 1-" + maxPayloadBytes + " bytes");
        }
        ByteBuffer frame = ByteBuffer.allocate(FRAME_HEADER_BYTES + payload.length);
        frame.putInt(payload.length).putInt(lengthAndPayloadCrc(payload.length, payload)).put(payload);
        return frame.flip();
    }

    /** Reads the frame at {@code offset} of a file whose readable bytes end at {@code limit}. */
    public Frame read(FileChannel channel, long offset, long limit) throws IOException {
        return read(channel, offset, limit, true);
    }

    /**
     * Reads a frame of the older rule, whose CRC covers only the payload: for files written before
     * this format was shared (headerless executor task journals), so that they still recover.
     * Nothing writes this rule any more.
     */
    public Frame readPayloadOnlyCrc(FileChannel channel, long offset, long limit) throws IOException {
        return read(channel, offset, limit, false);
    }

    private Frame read(FileChannel channel, long offset, long limit, boolean crcCoversLength) throws IOException {
        if (limit - offset < FRAME_HEADER_BYTES) {
            return new Torn();
        }
        ByteBuffer header = ByteBuffer.allocate(FRAME_HEADER_BYTES);
        if (!readFully(channel, header, offset)) {
            return new Torn();
        }
        int length = header.getInt(0);
        int crc = header.getInt(4);
        if (length <= 0 || length > maxPayloadBytes || limit - offset - FRAME_HEADER_BYTES < length) {
            return new Torn();
        }
        ByteBuffer payload = ByteBuffer.allocate(length);
        if (!readFully(channel, payload, offset + FRAME_HEADER_BYTES)) {
            return new Torn();
        }
        byte[] bytes = payload.array();
        int expected = crcCoversLength ? lengthAndPayloadCrc(length, bytes) : payloadCrc(bytes);
        return expected == crc ? new Valid(bytes) : new Corrupt(FRAME_HEADER_BYTES + length);
    }

    private static int lengthAndPayloadCrc(int length, byte[] payload) {
        CRC32 crc = new CRC32();
        crc.update(ByteBuffer.allocate(4).putInt(length).flip());
        crc.update(payload);
        return (int) crc.getValue();
    }

    private static int payloadCrc(byte[] payload) {
        CRC32 crc = new CRC32();
        crc.update(payload);
        return (int) crc.getValue();
    }

    /** Fills {@code buffer} from {@code position} and flips it; false when the file ends first. */
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
    public static void writeFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        long at = position;
        while (buffer.hasRemaining()) {
            at += channel.write(buffer, at);
        }
    }
}
