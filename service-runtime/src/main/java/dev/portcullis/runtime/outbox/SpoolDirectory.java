package dev.portcullis.runtime.outbox;

import static java.nio.file.StandardOpenOption.CREATE;
import static java.nio.file.StandardOpenOption.CREATE_NEW;
import static java.nio.file.StandardOpenOption.WRITE;
import static java.util.Objects.requireNonNull;

import dev.portcullis.runtime.framing.FramedLog;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The spool directory, held by one outbox: created owner-only if missing, and locked (a
 * {@link FileLock} on {@code spool.lock}) until {@link #close()}, so a second outbox cannot
 * write to it. Creates the segment files, durably. Thread-safe: its fields are immutable.
 */
final class SpoolDirectory implements AutoCloseable {
    // the outbox's log lines keep the one logger name operators filter on
    private static final Logger log = LoggerFactory.getLogger(AuditOutbox.class);
    private static final String LOCK_FILE = "spool.lock";

    private final Path path;
    private final FileChannel lockChannel; // its FileLock keeps a second outbox out of the directory

    private SpoolDirectory(Path path, FileChannel lockChannel) {
        this.path = path;
        this.lockChannel = lockChannel;
    }

    /**
     * Creates {@code path} if needed and locks it.
     *
     * @throws UncheckedIOException when the directory cannot be created, opened or locked
     * @throws IllegalStateException when another outbox holds it
     */
    static SpoolDirectory lock(Path path) {
        requireNonNull(path, "path is null");
        FileChannel channel;
        try {
            if (!Files.isDirectory(path)) {
                if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
                    Files.createDirectories(path,
                            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                } else {
                    Files.createDirectories(path);
                }
            }
            channel = FileChannel.open(path.resolve(LOCK_FILE), CREATE, WRITE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the audit spool directory " + path, e);
        }
        FileLock held;
        try {
            held = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            held = null;
        } catch (IOException e) {
            closeQuietly(channel, e);
            throw new UncheckedIOException("cannot lock the audit spool directory " + path, e);
        }
        if (held == null) {
            closeQuietly(channel, null);
            throw new IllegalStateException("the audit spool directory " + path + " is in use by another outbox");
        }
        return new SpoolDirectory(path, channel);
    }

    Path path() {
        return path;
    }

    /** Creates the empty segment that starts at spool position {@code base}; durable when it returns. */
    Segment createSegment(long base) throws IOException {
        Path file = path.resolve(SpoolFormat.segmentFileName(base));
        try (FileChannel channel = FileChannel.open(file, CREATE_NEW, WRITE)) {
            FramedLog.writeFully(channel, SpoolFormat.SEGMENT.header(), 0);
            channel.force(true);
        }
        AckMarker.syncDirectory(path);
        return new Segment(base, file, base + SpoolFormat.SEGMENT_HEADER_BYTES);
    }

    /** Releases the directory for the next outbox. Idempotent. */
    @Override
    public void close() {
        try {
            lockChannel.close();
        } catch (IOException e) {
            log.atWarn().addKeyValue("problem", e.getMessage()).log("outbox.unlock_failed");
        }
    }

    private static void closeQuietly(FileChannel channel, IOException primary) {
        try {
            channel.close();
        } catch (IOException e) {
            if (primary != null) {
                primary.addSuppressed(e);
            }
        }
    }
}
