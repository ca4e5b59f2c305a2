package dev.portcullis.runtime.outbox;

import static java.nio.file.StandardCopyOption.ATOMIC_MOVE;
import static java.nio.file.StandardCopyOption.REPLACE_EXISTING;
import static java.nio.file.StandardOpenOption.CREATE;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.TRUNCATE_EXISTING;
import static java.nio.file.StandardOpenOption.WRITE;
import static java.util.Objects.requireNonNull;

import dev.portcullis.runtime.framing.FramedLog;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.OptionalLong;
import java.util.zip.CRC32;

/**
 * The "acknowledged up to" marker: the spool position before which the audit service has
 * acknowledged every frame. Replaced atomically (temp file, fsync, rename, fsync of the
 * directory), so a crash leaves either the old or the new marker, never a mix.
 *
 * <pre>
 * marker = magic "PCAK" (4 bytes) | version 1 (int32) | position (int64) | crc (int32 of the first 16 bytes)
 * </pre>
 */
final class AckMarker {
    static final String FILE_NAME = "acked";
    private static final String TEMP_NAME = "acked.tmp";
    private static final int MAGIC = 0x5043414b; // "PCAK"
    private static final int VERSION = 1;
    private static final int BYTES = 20;

    private final Path directory;

    AckMarker(Path directory) {
        this.directory = requireNonNull(directory, "directory is null");
    }

    /**
     * The acknowledged position, or empty when there is no marker or it is unreadable; either
     * way the caller starts from the beginning, which resends and never loses.
     */
    OptionalLong read() throws IOException {
        Files.deleteIfExists(directory.resolve(TEMP_NAME));
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(directory.resolve(FILE_NAME));
        } catch (NoSuchFileException absent) {
            return OptionalLong.empty();
        }
        if (bytes.length != BYTES) {
            return OptionalLong.empty();
        }
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        if (buffer.getInt(0) != MAGIC || buffer.getInt(4) != VERSION || buffer.getInt(16) != crc(bytes)) {
            return OptionalLong.empty();
        }
        long position = buffer.getLong(8);
        return position < 0 ? OptionalLong.empty() : OptionalLong.of(position);
    }

    /** Durably replaces the marker with {@code position}. */
    void write(long position) throws IOException {
        byte[] bytes = ByteBuffer.allocate(BYTES).putInt(MAGIC).putInt(VERSION).putLong(position).array();
        ByteBuffer.wrap(bytes).putInt(16, crc(bytes));
        Path temp = directory.resolve(TEMP_NAME);
        try (FileChannel channel = FileChannel.open(temp, CREATE, WRITE, TRUNCATE_EXISTING)) {
            FramedLog.writeFully(channel, ByteBuffer.wrap(bytes), 0);
            channel.force(true);
        }
        Files.move(temp, directory.resolve(FILE_NAME), ATOMIC_MOVE, REPLACE_EXISTING);
        syncDirectory(directory);
    }

    /** Makes creations, renames and deletions in {@code directory} durable (Linux semantics). */
    static void syncDirectory(Path directory) throws IOException {
        try (FileChannel channel = FileChannel.open(directory, READ)) {
            channel.force(true);
        }
    }

    private static int crc(byte[] bytes) {
        CRC32 crc = new CRC32();
        crc.update(bytes, 0, 16);
        return (int) crc.getValue();
    }
}
