package dev.portcullis.runtime.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

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
}
