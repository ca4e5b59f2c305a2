package dev.portcullis.runtime.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StartupFailureTest {

    @Test
    void theInnermostConfigurationMessageIsReported() {
        RuntimeException failure = new RuntimeException("wrapper detail",
                new IllegalArgumentException("portcullis.server.port is required"));

        assertEquals("portcullis.server.port is required", StartupFailure.describe(failure));
    }

    @Test
    void aConfigurationExceptionWithoutMessageNeverYieldsNull() {
        RuntimeException failure = new RuntimeException("cannot bind", new IllegalStateException());

        assertEquals("cannot bind", StartupFailure.describe(failure));
    }

    @TempDir
    Path dir;

    @Test
    void aMissingFileIsNamedAsMissing() {
        String file = dir.resolve("nope.jsonl").toString();

        assertEquals(file + ": no such file or directory", StartupFailure.describe(new NoSuchFileException(file)));
    }

    @Test
    void aFileInAMissingDirectoryNamesTheDirectory() {
        String file = dir.resolve("nodir").resolve("deeper").resolve("audit.jsonl").toString();

        assertEquals(file + ": the directory " + dir.resolve("nodir") + " does not exist",
                StartupFailure.describe(new NoSuchFileException(file)));
    }

    @Test
    void anUnreadableFileSaysPermissionDenied() {
        String file = dir.resolve("key.pem").toString();

        assertEquals(file + ": permission denied (check the owner and mode of the file and its directory)",
                StartupFailure.describe(new RuntimeException(new AccessDeniedException(file))));
    }

    @Test
    void ourContextIsKeptAndTheFileIsNotNamedTwice() {
        String file = dir.resolve("nodir").resolve("catalog.yaml").toString();

        String described = StartupFailure.describe(
                new UncheckedIOException("cannot write the dev catalog " + file, new NoSuchFileException(file)));

        assertEquals("cannot write the dev catalog " + file + ": the directory " + dir.resolve("nodir") + " does not exist",
                described);
    }

    @Test
    void aRefusedSettingIsQuotedOnlyWhenItCannotCarryACredential() {
        assertEquals("value not shown", StartupFailure.value("https://hooks.example.com/services/T0/B0/s3cr3t"));
        assertEquals("42", StartupFailure.value(42));
        assertEquals("5s", StartupFailure.value(Duration.ofSeconds(5)));
    }
}
