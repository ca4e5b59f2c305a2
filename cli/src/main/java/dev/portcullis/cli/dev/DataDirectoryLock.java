package dev.portcullis.cli.dev;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;

/**
 * One {@code portcullis dev} per data directory. Two would share the services' H2 files (the
 * second fails with H2's "file is locked", naming neither process) and overwrite each other's
 * dev.env. The lock is an OS file lock on {@code DATA_DIR/dev.lock}, which also records who holds
 * it; the OS drops the lock when its process dies, so a crashed process's file never blocks.
 * Thread-safe to release once.
 */
final class DataDirectoryLock implements AutoCloseable {
    static final String FILE_NAME = "dev.lock";

    private final FileChannel channel;
    private final FileLock lock;

    private DataDirectoryLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Takes the lock on {@code dataDir} (which exists) and records this process in it.
     *
     * @throws IllegalStateException when another dev mode holds it, naming its pid and start time
     * @throws UncheckedIOException when the lock file cannot be opened or written
     */
    static DataDirectoryLock acquire(Path dataDir, Clock clock) {
        Path file = requireNonNull(dataDir, "dataDir is null").resolve(FILE_NAME);
        FileChannel channel;
        try {
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the dev lock file " + file, e);
        }
        try {
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null; // held by this very JVM, e.g. a second dev mode in one test run
            }
            if (lock == null) {
                throw new IllegalStateException(dataDir + " is in use by another portcullis dev (" + holder(file)
                        + "); stop it, or pass --data-dir with another directory");
            }
            String owner = "pid " + ProcessHandle.current().pid() + ", started " + clock.instant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS) + System.lineSeparator();
            channel.truncate(0);
            channel.write(ByteBuffer.wrap(owner.getBytes(StandardCharsets.UTF_8)), 0);
            channel.force(false);
            return new DataDirectoryLock(channel, lock);
        } catch (IOException e) {
            closeQuietly(channel);
            throw new UncheckedIOException("cannot write the dev lock file " + file, e);
        } catch (RuntimeException e) {
            closeQuietly(channel);
            throw e;
        }
    }

    /** What the holder wrote, e.g. "pid 4242, started 2026-12-07T04:00:00Z". */
    private static String holder(Path file) {
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8).strip();
            return text.isEmpty() ? "which has not said its pid yet" : text;
        } catch (IOException e) {
            return "whose pid cannot be read from " + file;
        }
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            // closing is all that is left to do; the OS releases the file either way
        }
    }

    /** Releases the lock; the file stays, and the next dev mode overwrites it. */
    @Override
    public synchronized void close() {
        if (!channel.isOpen()) {
            return;
        }
        try {
            lock.release();
            channel.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot release the dev lock", e);
        }
    }
}
