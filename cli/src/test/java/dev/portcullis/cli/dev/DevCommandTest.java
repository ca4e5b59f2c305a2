package dev.portcullis.cli.dev;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.cli.command.ExitStatus;
import dev.portcullis.cli.CliRun;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code portcullis dev} refusing to start, as the person at the terminal reads it. */
class DevCommandTest {
    @TempDir
    Path dir;

    private final CliRun cli = new CliRun();

    private int run(String... args) {
        return cli.execute(args);
    }

    @Test
    void aBusyPortIsToldInTermsOfBasePort() throws Exception {
        Path data = dir.resolve("data");
        // the audit service starts first, at base + 3: taking that port fails the start before anything else runs
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int base = taken.getLocalPort() - 3;

            int status = run("dev", "--data-dir", data.toString(), "--base-port", Integer.toString(base));

            assertEquals(ExitStatus.ERROR.code(), status, cli.err());
            assertTrue(cli.err().contains("portcullis: port " + taken.getLocalPort() + " (audit) is in use: another"
                    + " `portcullis dev` may be running, or start with another --base-port N"), cli.err());
            assertFalse(cli.err().contains("portcullis.server.port"), cli.err());
            assertFalse(cli.err().contains("\tat "), cli.err());
        }
    }

    @Test
    void aBusyPortIsToldBeforeAnythingIsPreparedOrStarted() throws Exception {
        Path data = dir.resolve("early");
        // the gateway starts last: without asking every port first, three services would start and stop again
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {

            int status = run("dev", "--data-dir", data.toString(), "--base-port", Integer.toString(taken.getLocalPort()));

            assertEquals(ExitStatus.ERROR.code(), status, cli.err());
            assertTrue(cli.err().contains(") is in use: another `portcullis dev` may be running"), cli.err());
            assertFalse(Files.exists(data.resolve("pki")), "nothing prepared: " + cli.err());
            assertFalse(cli.out().contains("server.started") || cli.err().contains("server.started"), cli.err());
        }
    }

    @Test
    void aDataDirectoryInUseNamesTheOtherProcess() {
        Path data = dir.resolve("data");
        data.toFile().mkdirs();
        try (DataDirectoryLock other = DataDirectoryLock.acquire(data, Clock.systemUTC())) {

            int status = run("dev", "--data-dir", data.toString(), "--base-port", "0");

            assertEquals(ExitStatus.ERROR.code(), status, cli.err());
            assertTrue(cli.err().contains(data.toAbsolutePath() + " is in use by another portcullis dev (pid "
                    + ProcessHandle.current().pid() + ", started "), cli.err());
            assertTrue(cli.err().contains("stop it, or pass --data-dir"), cli.err());
            assertFalse(cli.err().contains("\tat "), cli.err());
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
