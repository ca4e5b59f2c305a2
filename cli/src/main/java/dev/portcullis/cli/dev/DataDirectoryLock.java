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
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * One {@code portcullis dev} per data directory. Two would share the services' H2 files (the
 * second fails with H2's "file is locked", naming neither process) and overwrite each other's
 * dev.env. The lock is an OS file lock on {@code DATA_DIR/dev.lock}, which also records who holds
 * it; the OS drops the lock when its process dies, so a crashed process's file never blocks.
 *
 * <p>{@code portcullis dev} takes the lock exclusively; each {@code portcullis dev serve} takes it
 * shared, so the four processes of one suite share a directory while a {@code portcullis dev} on
 * it (and it on theirs) is refused.
 *
 * <p>Java's file locks on Linux are the process's fcntl locks: closing any descriptor of the lock
 * file in this JVM, through whichever channel or stream, silently drops the lock this process
 * holds on it. So a second attempt inside this JVM is answered from the locks this JVM holds, and
 * never opens the file. Thread-safe; closing twice releases once.
 */
final class DataDirectoryLock implements AutoCloseable {
    static final String FILE_NAME = "dev.lock";
    private static final String SERVE_HOLDER = "portcullis dev serve";

    // guarded by itself: the locks this JVM holds, by the lock file's real path
    private static final Map<Path, Held> HELD = new HashMap<>();

    private final Path key;
    private final Held held;
    // guarded by HELD
    private boolean closed;

    private DataDirectoryLock(Path key, Held held) {
        this.key = key;
        this.held = held;
    }

    /** An OS lock this JVM holds and the number of open {@link DataDirectoryLock}s sharing it; guarded by HELD. */
    private static final class Held {
        final FileChannel channel;
        final FileLock lock;
        /** Who holds it, as a refusal names them: "pid 4242, started ..." or dev serve. */
        final String holder;
        int users = 1;

        Held(FileChannel channel, FileLock lock, String holder) {
            this.channel = channel;
            this.lock = lock;
            this.holder = holder;
        }
    }

    /**
     * Takes the lock on {@code dataDir} (which exists) exclusively and records this process in it:
     * for {@code portcullis dev}.
     *
     * @throws IllegalStateException when a dev mode or a dev serve holds it, naming the dev mode's
     *     pid and start time
     * @throws UncheckedIOException when the lock file cannot be opened or written
     */
    static DataDirectoryLock acquire(Path dataDir, Clock clock) {
        requireNonNull(clock, "clock is null");
        return take(dataDir, false, () -> "pid " + ProcessHandle.current().pid() + ", started "
                + clock.instant().truncatedTo(ChronoUnit.SECONDS));
    }

    /**
     * Takes the lock on {@code dataDir} (which exists) shared with other holders of a shared lock:
     * for {@code portcullis dev serve}, four of which run one suite on one directory.
     *
     * @throws IllegalStateException when a dev mode holds it, naming its pid and start time
     * @throws UncheckedIOException when the lock file cannot be opened
     */
    static DataDirectoryLock share(Path dataDir) {
        return take(dataDir, true, () -> SERVE_HOLDER);
    }

    private static DataDirectoryLock take(Path dataDir, boolean shared, Supplier<String> owner) {
        requireNonNull(dataDir, "dataDir is null");
        Path key = realFile(dataDir);
        synchronized (HELD) {
            Held mine = HELD.get(key);
            if (mine != null) {
                if (!shared || !mine.lock.isShared()) {
                    throw inUse(dataDir, mine.holder, shared);
                }
                mine.users++;
                return new DataDirectoryLock(key, mine);
            }
            Held taken = lockFile(dataDir, key, shared, owner);
            HELD.put(key, taken);
            return new DataDirectoryLock(key, taken);
        }
    }

    /** Opens and locks the file; called holding HELD with no lock of this JVM on the file, so closing it drops nothing. */
    private static Held lockFile(Path dataDir, Path file, boolean shared, Supplier<String> owner) {
        FileChannel channel;
        try {
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the dev lock file " + file, e);
        }
        FileLock lock;
        try {
            lock = channel.tryLock(0, Long.MAX_VALUE, shared);
        } catch (OverlappingFileLockException e) {
            // something in this JVM locked the file other than through this class: closing the
            // channel would drop that lock, so it stays open (never seen; it would leak one descriptor)
            throw new IllegalStateException(dataDir + " is locked by this process outside the dev data-directory lock", e);
        } catch (IOException e) {
            closeQuietly(channel);
            throw new UncheckedIOException("cannot lock the dev lock file " + file, e);
        }
        try {
            if (lock == null) {
                // another process holds it, and this one holds nothing on the file: reading it is safe
                throw inUse(dataDir, shared ? holder(file) : exclusiveRefusal(channel, file), shared);
            }
            String holder = owner.get();
            if (!shared) {
                channel.truncate(0);
                channel.write(ByteBuffer.wrap((holder + System.lineSeparator()).getBytes(StandardCharsets.UTF_8)), 0);
                channel.force(false);
            }
            return new Held(channel, lock, holder);
        } catch (IOException e) {
            closeQuietly(channel);
            throw new UncheckedIOException("cannot write the dev lock file " + file, e);
        } catch (RuntimeException e) {
            closeQuietly(channel);
            throw e;
        }
    }

    /**
     * Who keeps an exclusive lock from us: when a shared lock can still be had, dev serve
     * processes (which write nothing: there may be four), else the dev mode that wrote the file.
     */
    private static String exclusiveRefusal(FileChannel channel, Path file) throws IOException {
        FileLock probe = channel.tryLock(0, Long.MAX_VALUE, true);
        if (probe != null) {
            probe.release();
            return SERVE_HOLDER;
        }
        return holder(file);
    }

    private static IllegalStateException inUse(Path dataDir, String holder, boolean shared) {
        if (holder.equals(SERVE_HOLDER)) {
            return new IllegalStateException(dataDir + " is in use by " + SERVE_HOLDER + " processes; stop them,"
                    + " or pass --data-dir with another directory");
        }
        return new IllegalStateException(dataDir + " is in use by " + (shared ? "" : "another ") + "portcullis dev ("
                + holder + "); stop it, or pass --data-dir with another directory");
    }

    private static Path realFile(Path dataDir) {
        try {
            return dataDir.toRealPath().resolve(FILE_NAME);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot resolve the data directory " + dataDir, e);
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

    /** Releases the lock once its last user in this JVM closes; the file stays, and the next dev mode overwrites it. */
    @Override
    public void close() {
        synchronized (HELD) {
            if (closed) {
                return;
            }
            closed = true;
            if (--held.users > 0) {
                return;
            }
            HELD.remove(key);
            try {
                held.lock.release();
                held.channel.close();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot release the dev lock", e);
            }
        }
    }
}
