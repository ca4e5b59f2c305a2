package dev.portcullis.cli.dev;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The data-directory lock between real processes: this test's JVM and child JVMs running
 * {@link LockHolder}, since a lock held within one JVM cannot show what another process sees.
 */
class DataDirectoryLockTest {
    private static final Duration PATIENCE = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private final List<Process> children = new ArrayList<>();

    @AfterEach
    void killChildren() {
        children.forEach(Process::destroyForcibly);
    }

    private Path data() throws IOException {
        return Files.createDirectories(dir.resolve("data"));
    }

    /** A child JVM running {@link LockHolder} in {@code mode} on {@code data}. */
    private Process child(String mode, Path data) throws IOException {
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), LockHolder.class.getName(), mode, data.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        children.add(child);
        return child;
    }

    /** The child's first line on stdout; a child that says nothing in time fails the test (and is killed after it). */
    private static String firstLine(Process child) throws Exception {
        BufferedReader reader = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> {
            try {
                return String.valueOf(reader.readLine());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        return line.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
    }

    @Test
    void aLockHeldByAnotherProcessIsRefusedNamingItsPidAndFreedWhenThatProcessIsKilled() throws Exception {
        Path data = data();
        Process holder = child("hold-exclusive", data);
        assertEquals("locked by pid " + holder.pid(), firstLine(holder));

        IllegalStateException refused = assertThrows(IllegalStateException.class,
                () -> DataDirectoryLock.acquire(data, Clock.systemUTC()));
        assertTrue(refused.getMessage().contains(" is in use by another portcullis dev (pid " + holder.pid() + ", started "),
                refused.getMessage());

        holder.destroyForcibly(); // SIGKILL: no release, the OS drops the lock with the process
        assertTrue(holder.waitFor(PATIENCE.toSeconds(), TimeUnit.SECONDS));
        try (DataDirectoryLock lock = DataDirectoryLock.acquire(data, Clock.systemUTC())) {
            assertTrue(Files.readString(data.resolve(DataDirectoryLock.FILE_NAME))
                    .startsWith("pid " + ProcessHandle.current().pid() + ", started "));
        }
    }

    @Test
    void aRefusedSecondAttemptInThisProcessLeavesTheFirstHoldersLockInPlace() throws Exception {
        Path data = data();
        try (DataDirectoryLock first = DataDirectoryLock.acquire(data, Clock.systemUTC())) {
            assertThrows(IllegalStateException.class, () -> DataDirectoryLock.acquire(data, Clock.systemUTC()));
            assertThrows(IllegalStateException.class, () -> DataDirectoryLock.share(data));

            String other = firstLine(child("try-exclusive", data));

            assertTrue(other.startsWith("refused: "), other);
            assertTrue(other.contains("(pid " + ProcessHandle.current().pid() + ", started "), other);
        }
    }

    @Test
    void devModeIsRefusedWhileADevServeProcessSharesTheDirectory() throws Exception {
        Path data = data();
        Process serve = child("hold-shared", data);
        assertEquals("locked by pid " + serve.pid(), firstLine(serve));

        IllegalStateException refused = assertThrows(IllegalStateException.class,
                () -> DataDirectoryLock.acquire(data, Clock.systemUTC()));

        assertTrue(refused.getMessage().contains(" is in use by portcullis dev serve processes; stop them"),
                refused.getMessage());
        DataDirectoryLock.share(data).close(); // another dev serve may join
    }

    @Test
    void devServeIsRefusedWhileAnotherProcessRunsDevModeOnTheDirectory() throws Exception {
        Path data = data();
        Process dev = child("hold-exclusive", data);
        assertEquals("locked by pid " + dev.pid(), firstLine(dev));

        IllegalStateException refused = assertThrows(IllegalStateException.class, () -> DataDirectoryLock.share(data));

        assertTrue(refused.getMessage().contains(" is in use by portcullis dev (pid " + dev.pid() + ", started "),
                refused.getMessage());
    }

    @Test
    void devServesInThisProcessShareTheDirectoryUntilTheLastOneCloses() throws Exception {
        Path data = data();
        DataDirectoryLock policy = DataDirectoryLock.share(data);
        DataDirectoryLock audit = DataDirectoryLock.share(data);

        policy.close();
        policy.close();
        String whileAuditServes = firstLine(child("try-exclusive", data));
        audit.close();
        String afterwards = firstLine(child("try-exclusive", data));

        assertTrue(whileAuditServes.startsWith("refused: "), whileAuditServes);
        assertEquals("acquired", afterwards);
    }
}
