package dev.portcullis.cli.dev;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.cli.ExitStatus;
import dev.portcullis.cli.Portcullis;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code portcullis dev} refusing to start, as the person at the terminal reads it. */
class DevCommandTest {
    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cli = Portcullis.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    @Test
    void aBusyPortIsToldInTermsOfBasePort() throws Exception {
        Path data = dir.resolve("data");
        // the audit service starts first, at base + 3: taking that port fails the start before anything else runs
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int base = taken.getLocalPort() - 3;

            int status = run("dev", "--data-dir", data.toString(), "--base-port", Integer.toString(base));

            assertEquals(ExitStatus.ERROR.code(), status, err.toString());
            assertTrue(err.toString().contains("portcullis: port " + taken.getLocalPort() + " (audit) is in use: another"
                    + " `portcullis dev` may be running, or start with another --base-port N"), err.toString());
            assertFalse(err.toString().contains("portcullis.server.port"), err.toString());
            assertFalse(err.toString().contains("\tat "), err.toString());
        }
    }

    @Test
    void aDataDirectoryInUseNamesTheOtherProcess() {
        Path data = dir.resolve("data");
        data.toFile().mkdirs();
        try (DataDirectoryLock other = DataDirectoryLock.acquire(data, Clock.systemUTC())) {

            int status = run("dev", "--data-dir", data.toString(), "--base-port", "0");

            assertEquals(ExitStatus.ERROR.code(), status, err.toString());
            assertTrue(err.toString().contains(data.toAbsolutePath() + " is in use by another portcullis dev (pid "
                    + ProcessHandle.current().pid() + ", started "), err.toString());
            assertTrue(err.toString().contains("stop it, or pass --data-dir"), err.toString());
            assertFalse(err.toString().contains("\tat "), err.toString());
        }
    }

    @Test
    void theLockFileOfAProcessThatDiedDoesNotBlock() throws Exception {
        Path data = Files.createDirectories(dir.resolve("data"));
        Files.writeString(data.resolve(DataDirectoryLock.FILE_NAME), "pid 999999999, started 2026-01-01T00:00:00Z\n",
                StandardCharsets.UTF_8);

        try (DataDirectoryLock lock = DataDirectoryLock.acquire(data, Clock.systemUTC())) {

            assertTrue(Files.readString(data.resolve(DataDirectoryLock.FILE_NAME))
                    .startsWith("pid " + ProcessHandle.current().pid() + ", started "));
        }
    }

    @Test
    void aReleasedDataDirectoryCanBeLockedAgain() {
        Path data = dir.resolve("data");
        data.toFile().mkdirs();
        DataDirectoryLock.acquire(data, Clock.systemUTC()).close();

        DataDirectoryLock.acquire(data, Clock.systemUTC()).close();
    }
}
