package dev.portcullis.runtime.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.portcullis.runtime.testing.TestDatabases.Source;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TestDatabasesTest {
    @Test
    void aConfiguredUrlWinsWithoutAskingDocker() {
        assertEquals(Source.CONFIGURED, TestDatabases.select(Optional.of("jdbc:postgresql://db:5432/x"),
                () -> fail("Docker must not be asked when a URL is configured")));
    }

    @Test
    void withoutAUrlARunningDockerEngineGivesAContainer() {
        assertEquals(Source.CONTAINER, TestDatabases.select(Optional.empty(), () -> true));
    }

    @Test
    void withoutAUrlOrDockerEngineTheLocalServerIsUsed() {
        assertEquals(Source.LOCAL, TestDatabases.select(Optional.empty(), () -> false));
    }

    @Test
    void aBlankUrlCountsAsNone() {
        assertEquals(Source.LOCAL, TestDatabases.select(Optional.of(" "), () -> false));
    }
}
