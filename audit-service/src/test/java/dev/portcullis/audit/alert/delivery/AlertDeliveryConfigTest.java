package dev.portcullis.audit.alert.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.portcullis.runtime.server.StartupFailure;
import dev.portcullis.runtime.testing.ConfigBinding;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class AlertDeliveryConfigTest {
    static final String PREFIX = "portcullis.audit.alerts.delivery.";
    static final String SLACK = "https://hooks.slack.com/services/T0/B0/xoxb-secret-token";

    @Test
    void nothingIsDeliveredAndRetriesHaveTheirDefaultsWhenNothingIsSet() {
        AlertDeliveryConfig config = ConfigBinding.bind(AlertDeliveryConfig.class, Map.of());

        assertEquals(new AlertDeliveryConfig(List.of(), Duration.ofSeconds(5), 5, Duration.ofSeconds(1),
                Duration.ofSeconds(60)), config);
    }

    @Test
    void everyKeyIsBound() {
        Map<String, Object> properties = Map.of(
                PREFIX + "webhook-urls", List.of(SLACK, "http://127.0.0.1:8080/hook"),
                PREFIX + "timeout", "2s",
                PREFIX + "max-attempts", "8",
                PREFIX + "initial-backoff", "500ms",
                PREFIX + "max-backoff", "5m");

        AlertDeliveryConfig config = ConfigBinding.bind(AlertDeliveryConfig.class, properties);

        assertEquals(List.of(URI.create(SLACK), URI.create("http://127.0.0.1:8080/hook")), config.webhookUris());
        assertEquals(Duration.ofSeconds(2), config.timeout());
        assertEquals(8, config.maxAttempts());
        assertEquals(Duration.ofMillis(500), config.initialBackoff());
        assertEquals(Duration.ofMinutes(5), config.maxBackoff());
    }

    @Test
    void aCommaSeparatedListBindsToo() {
        Map<String, Object> properties = Map.of(PREFIX + "webhook-urls", SLACK + ",https://chat.example.com/hooks/abc");

        AlertDeliveryConfig config = ConfigBinding.bind(AlertDeliveryConfig.class, properties);

        assertEquals(2, config.webhookUris().size());
    }

    @Test
    void theConfigurationPrintsWebhooksAsSchemeAndHostOnly() {
        AlertDeliveryConfig config = new AlertDeliveryConfig(List.of(SLACK), Duration.ofSeconds(5), 5,
                Duration.ofSeconds(1), Duration.ofSeconds(60));

        assertEquals("AlertDeliveryConfig[webhookUrls=[https://hooks.slack.com], timeout=PT5S, maxAttempts=5,"
                + " initialBackoff=PT1S, maxBackoff=PT1M]", config.toString());
    }

    static Stream<Arguments> invalidSettings() {
        return Stream.of(
                Arguments.of("webhook-urls", "https://hooks.example.com/a b/xoxb-secret-token",
                        PREFIX + "webhook-urls[0] is not a valid URL"),
                Arguments.of("webhook-urls", "ftp://hooks.example.com/xoxb-secret-token",
                        PREFIX + "webhook-urls[0] must be an absolute https:// URL with a host"),
                Arguments.of("webhook-urls", "/services/xoxb-secret-token",
                        PREFIX + "webhook-urls[0] must be an absolute https:// URL with a host"),
                Arguments.of("webhook-urls", "https://user:xoxb-secret-token@hooks.example.com/x",
                        PREFIX + "webhook-urls[0] must not carry a user name or password"),
                Arguments.of("webhook-urls", "http://hooks.example.com/xoxb-secret-token",
                        PREFIX + "webhook-urls[0] must use https:// (http:// is allowed to a loopback address only)"),
                Arguments.of("webhook-urls", "http://127.evil.example/xoxb-secret-token",
                        PREFIX + "webhook-urls[0] must use https:// (http:// is allowed to a loopback address only)"),
                Arguments.of("timeout", "0s", PREFIX + "timeout: must be a positive duration of at most 5m (was 0s)"),
                Arguments.of("max-attempts", "0", PREFIX + "max-attempts: must be greater than or equal to 1 (was 0)"),
                Arguments.of("initial-backoff", "0s", PREFIX + "initial-backoff: must be a positive duration (was 0s)"),
                Arguments.of("max-backoff", "500ms",
                        PREFIX + "max-backoff must be at least " + PREFIX + "initial-backoff and at most 1h"));
    }

    @ParameterizedTest
    @MethodSource("invalidSettings")
    void anInvalidValueStopsStartupNamingThePropertyWithoutQuotingIt(String key, String value, String expected) {
        RuntimeException e = assertThrows(RuntimeException.class,
                () -> ConfigBinding.bind(AlertDeliveryConfig.class, Map.of(PREFIX + key, value)));

        String message = StartupFailure.describe(e);
        assertEquals(expected, message);
        assertFalse(message.contains("secret-token"), message);
    }
}
