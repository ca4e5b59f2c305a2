package dev.portcullis.runtime.outbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.portcullis.runtime.server.StartupFailure;
import dev.portcullis.runtime.testing.ConfigBinding;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class OutboxConfigTest {
    private static final Map<String, Object> REQUIRED =
            Map.of("portcullis.audit-outbox.spool-dir", "/var/lib/portcullis/outbox");

    @Test
    void everyKeyHasItsDefault() {
        OutboxConfig config = ConfigBinding.bind(OutboxConfig.class, REQUIRED);

        assertEquals(new OutboxConfig(Path.of("/var/lib/portcullis/outbox"), 67_108_864, 500, Duration.ofMillis(200),
                Duration.ofSeconds(30), Duration.ofSeconds(5), Duration.ofSeconds(1)), config);
    }

    @Test
    void everyKeyIsBound() {
        Map<String, Object> properties = Map.of(
                "portcullis.audit-outbox.spool-dir", "/data/outbox",
                "portcullis.audit-outbox.max-spool-bytes", "256MB",
                "portcullis.audit-outbox.batch-size", "100",
                "portcullis.audit-outbox.initial-backoff", "1s",
                "portcullis.audit-outbox.max-backoff", "2m",
                "portcullis.audit-outbox.shutdown-flush-timeout", "10s",
                "portcullis.audit-outbox.poll-interval", "250ms");

        OutboxConfig config = ConfigBinding.bind(OutboxConfig.class, properties);

        assertEquals(Path.of("/data/outbox"), config.spoolDir());
        assertEquals(256L * 1024 * 1024, config.maxSpoolBytes());
        assertEquals(100, config.batchSize());
        assertEquals(Duration.ofSeconds(1), config.initialBackoff());
        assertEquals(Duration.ofMinutes(2), config.maxBackoff());
        assertEquals(Duration.ofSeconds(10), config.shutdownFlushTimeout());
        assertEquals(Duration.ofMillis(250), config.pollInterval());
    }

    @Test
    void maxSpoolBytesAlsoTakesPlainBytesAndKilobytes() {
        Map<String, Object> bytes = new HashMap<>(REQUIRED);
        bytes.put("portcullis.audit-outbox.max-spool-bytes", "1048576");
        Map<String, Object> kilobytes = new HashMap<>(REQUIRED);
        kilobytes.put("portcullis.audit-outbox.max-spool-bytes", "512KB");

        long fromBytes = ConfigBinding.bind(OutboxConfig.class, bytes).maxSpoolBytes();
        long fromKilobytes = ConfigBinding.bind(OutboxConfig.class, kilobytes).maxSpoolBytes();

        assertEquals(1_048_576, fromBytes);
        assertEquals(524_288, fromKilobytes);
    }

    @Test
    void theSpoolDirectoryIsRequiredOnlyByTheDiskSpool() {
        OutboxConfig withoutSpool = ConfigBinding.bind(OutboxConfig.class, Map.of());

        RuntimeException e = assertThrows(RuntimeException.class, withoutSpool::requiredSpoolDir);

        assertEquals("portcullis.audit-outbox.spool-dir is required: the directory where audit events wait for delivery",
                StartupFailure.describe(e));
    }

    static Stream<Arguments> invalidSettings() {
        return Stream.of(
                Arguments.of("portcullis.audit-outbox.max-spool-bytes", "32KB",
                        "portcullis.audit-outbox.max-spool-bytes: must be greater than or equal to 65536 (was 32768)"),
                Arguments.of("portcullis.audit-outbox.batch-size", "0",
                        "portcullis.audit-outbox.batch-size: must be greater than or equal to 1 (was 0)"),
                Arguments.of("portcullis.audit-outbox.batch-size", "501",
                        "portcullis.audit-outbox.batch-size: must be less than or equal to 500 (was 501)"),
                Arguments.of("portcullis.audit-outbox.initial-backoff", "0s",
                        "portcullis.audit-outbox.initial-backoff: must be a positive duration (was 0s)"),
                Arguments.of("portcullis.audit-outbox.poll-interval", "0s",
                        "portcullis.audit-outbox.poll-interval: must be a positive duration (was 0s)"),
                Arguments.of("portcullis.audit-outbox.max-backoff", "100ms",
                        "portcullis.audit-outbox.max-backoff must not be shorter than "
                                + "portcullis.audit-outbox.initial-backoff"));
    }

    @ParameterizedTest
    @MethodSource("invalidSettings")
    void anInvalidValueStopsStartupNamingTheProperty(String key, String value, String expected) {
        Map<String, Object> properties = new HashMap<>(REQUIRED);
        properties.put(key, value);

        RuntimeException e = assertThrows(RuntimeException.class,
                () -> ConfigBinding.bind(OutboxConfig.class, properties));

        assertEquals(expected, StartupFailure.describe(e));
    }
}
