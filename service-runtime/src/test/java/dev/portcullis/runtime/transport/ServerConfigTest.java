package dev.portcullis.runtime.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.runtime.server.StartupFailure;
import dev.portcullis.runtime.testing.ConfigBinding;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalInt;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ServerConfigTest {

    @Test
    void onlyThePortIsRequiredAndEveryOtherKeyHasItsDefault() {
        Map<String, Object> properties = Map.of("portcullis.server.port", "7443");

        ServerConfig config = ConfigBinding.bind(ServerConfig.class, properties);

        assertEquals(new ServerConfig("127.0.0.1", 7443, 4194304, Duration.ofSeconds(10), Duration.ofSeconds(10), -1),
                config);
        assertTrue(config.healthProbePort().isEmpty());
    }

    @Test
    void everyKeyIsBound() {
        Map<String, Object> properties = Map.of(
                "portcullis.server.host", "0.0.0.0",
                "portcullis.server.port", "8443",
                "portcullis.server.max-inbound-message-bytes", "1048576",
                "portcullis.server.handshake-timeout", "3s",
                "portcullis.server.shutdown-grace", "2m",
                "portcullis.server.health-port", "8081",
                "portcullis.server.anonymous-refusals-per-second", "50");

        ServerConfig config = ConfigBinding.bind(ServerConfig.class, properties);

        assertEquals("0.0.0.0", config.host());
        assertEquals(8443, config.port());
        assertEquals(1048576, config.maxInboundMessageBytes());
        assertEquals(Duration.ofSeconds(3), config.handshakeTimeout());
        assertEquals(Duration.ofMinutes(2), config.shutdownGrace());
        assertEquals(OptionalInt.of(8081), config.healthProbePort());
        assertEquals(50, config.anonymousRefusalsPerSecond());
    }

    @Test
    void aRefusalBudgetOfNoneStopsStartupNamingTheProperty() {
        Map<String, Object> properties = Map.of("portcullis.server.port", "7443",
                "portcullis.server.anonymous-refusals-per-second", "0");

        RuntimeException e = assertThrows(RuntimeException.class, () -> ConfigBinding.bind(ServerConfig.class, properties));

        assertTrue(String.valueOf(e.getMessage()).contains("anonymous"), e.getMessage());
    }

    @Test
    void portZeroIsAcceptedSoTheSystemPicksAFreePort() {
        Map<String, Object> properties = Map.of("portcullis.server.port", "0");

        ServerConfig config = ConfigBinding.bind(ServerConfig.class, properties);

        assertEquals(0, config.port());
    }

    @Test
    void missingPortStopsStartupNamingTheProperty() {
        Map<String, Object> properties = Map.of("portcullis.server.host", "127.0.0.1");

        RuntimeException e = assertThrows(RuntimeException.class,
                () -> ConfigBinding.bind(ServerConfig.class, properties));

        assertEquals("portcullis.server.port is required: the TCP port this service listens on",
                StartupFailure.describe(e));
    }

    static Stream<Arguments> invalidSettings() {
        return Stream.of(
                Arguments.of("portcullis.server.host", " ",
                        "portcullis.server.host must name an address to bind, e.g. 127.0.0.1"),
                Arguments.of("portcullis.server.port", "65536",
                        "portcullis.server.port: must be less than or equal to 65535 (was 65536)"),
                Arguments.of("portcullis.server.port", "-1",
                        "portcullis.server.port: must be greater than or equal to 0 (was -1)"),
                Arguments.of("portcullis.server.max-inbound-message-bytes", "1023",
                        "portcullis.server.max-inbound-message-bytes: must be greater than or equal to 1024 (was 1023)"),
                Arguments.of("portcullis.server.max-inbound-message-bytes", "67108865",
                        "portcullis.server.max-inbound-message-bytes: must be less than or equal to 67108864 (was 67108865)"),
                Arguments.of("portcullis.server.handshake-timeout", "0s",
                        "portcullis.server.handshake-timeout: must be a positive duration (was 0s)"),
                Arguments.of("portcullis.server.health-port", "-2",
                        "portcullis.server.health-port: must be greater than or equal to -1 (was -2)"),
                Arguments.of("portcullis.server.health-port", "65536",
                        "portcullis.server.health-port: must be less than or equal to 65535 (was 65536)"),
                Arguments.of("portcullis.server.health-port", "7443",
                        "portcullis.server.health-port must differ from portcullis.server.port: the service port is mTLS only"));
    }

    @ParameterizedTest
    @MethodSource("invalidSettings")
    void invalidValueStopsStartupNamingTheProperty(String key, String value, String expected) {
        Map<String, Object> properties = new HashMap<>(Map.of("portcullis.server.port", "7443"));
        properties.put(key, value);

        RuntimeException e = assertThrows(RuntimeException.class,
                () -> ConfigBinding.bind(ServerConfig.class, properties));

        assertEquals(expected, StartupFailure.describe(e));
    }
}
