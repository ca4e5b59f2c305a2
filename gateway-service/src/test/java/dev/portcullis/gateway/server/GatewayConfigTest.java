package dev.portcullis.gateway.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.runtime.request.RunId;
import dev.portcullis.runtime.server.StartupFailure;
import dev.portcullis.runtime.testing.ConfigBinding;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class GatewayConfigTest {
    private static final Map<String, Object> REQUIRED = Map.of(
            "portcullis.gateway.policy-address", "policy.internal:7444",
            "portcullis.gateway.executor-address", "executor.internal:7445",
            "portcullis.gateway.audit-address", "audit.internal:7446");

    @Test
    void onlyTheAddressesAreRequiredAndTheCallTimeoutDefaultsToFiveSeconds() {
        GatewayConfig config = ConfigBinding.bind(GatewayConfig.class, REQUIRED);

        assertEquals(new GatewayConfig("policy.internal:7444", "executor.internal:7445", "audit.internal:7446",
                Duration.ofSeconds(5), null), config);
        assertTrue(config.console().isEmpty());
    }

    @Test
    void everyKeyIsBound() {
        Map<String, Object> properties = Map.of(
                "portcullis.gateway.policy-address", "localhost:7444",
                "portcullis.gateway.executor-address", "127.0.0.1:7445",
                "portcullis.gateway.audit-address", "[::1]:7446",
                "portcullis.gateway.call-timeout", "1500ms",
                "portcullis.gateway.console-url", "https://portcullis.example.com:8443");

        GatewayConfig config = ConfigBinding.bind(GatewayConfig.class, properties);

        assertEquals("localhost:7444", config.policyAddress());
        assertEquals("127.0.0.1:7445", config.executorAddress());
        assertEquals("[::1]:7446", config.auditAddress());
        assertEquals(Duration.ofMillis(1500), config.callTimeout());
        assertEquals("https://portcullis.example.com:8443/runs/0123abcd-0000-4000-8000-0123456789ab",
                config.console().orElseThrow().runPage(new RunId("0123abcd-0000-4000-8000-0123456789ab")).toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "http://portcullis.example.com",
            "portcullis.example.com",
            "https://",
            "https://portcullis example.com",
            "https://portcullis.example.com/console",
            "https://portcullis.example.com/?token=s3cret",
            "https://user:s3cret@portcullis.example.com",
            "https://portcullis.example.com/#s3cret",
    })
    void aConsoleUrlThatIsNotAPathlessHttpsUrlStopsStartupNamingThePropertyAndNotTheValue(String url) {
        Map<String, Object> properties = new HashMap<>(REQUIRED);
        properties.put("portcullis.gateway.console-url", url);

        RuntimeException e = assertThrows(RuntimeException.class,
                () -> ConfigBinding.bind(GatewayConfig.class, properties));

        assertEquals("portcullis.gateway.console-url must be the console's https URL with a host and no path, query or user "
                + "information (e.g. https://portcullis.example.com)", StartupFailure.describe(e));
    }

    @Test
    void anAddressMayListTheReplicasOfANeighbour() {
        Map<String, Object> properties = new HashMap<>(REQUIRED);
        properties.put("portcullis.gateway.executor-address", "localhost:7445, localhost:7449,[::1]:7450");

        GatewayConfig config = ConfigBinding.bind(GatewayConfig.class, properties);

        assertEquals("localhost:7445, localhost:7449,[::1]:7450", config.executorAddress());
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "portcullis.gateway.policy-address",
            "portcullis.gateway.executor-address",
            "portcullis.gateway.audit-address",
    })
    void missingAddressStopsStartupNamingTheProperty(String key) {
        Map<String, Object> properties = new HashMap<>(REQUIRED);
        properties.remove(key);

        RuntimeException e = assertThrows(RuntimeException.class,
                () -> ConfigBinding.bind(GatewayConfig.class, properties));

        assertEquals(key + " is required, as host:port (e.g. localhost:7444)", StartupFailure.describe(e));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            portcullis.gateway.policy-address   | policy.internal
            portcullis.gateway.executor-address | executor.internal:port
            portcullis.gateway.audit-address    | http://audit.internal:7446
            portcullis.gateway.audit-address    | ::1:7446
            portcullis.gateway.policy-address   | localhost:0
            portcullis.gateway.policy-address   | localhost:99999
            portcullis.gateway.executor-address | 'localhost:7445,'
            portcullis.gateway.executor-address | 'localhost:7445,localhost'
            """)
    void addressThatIsNotHostColonPortStopsStartupNamingTheProperty(String key, String value) {
        Map<String, Object> properties = new HashMap<>(REQUIRED);
        properties.put(key, value);

        RuntimeException e = assertThrows(RuntimeException.class,
                () -> ConfigBinding.bind(GatewayConfig.class, properties));

        assertEquals(key + " must be host:port with a port from 1 to 65535, or several separated by commas "
                + "(e.g. localhost:7444 or localhost:7444,localhost:7448)", StartupFailure.describe(e));
    }

    @Test
    void zeroCallTimeoutStopsStartupNamingTheProperty() {
        Map<String, Object> properties = new HashMap<>(REQUIRED);
        properties.put("portcullis.gateway.call-timeout", "0s");

        RuntimeException e = assertThrows(RuntimeException.class,
                () -> ConfigBinding.bind(GatewayConfig.class, properties));

        assertEquals("portcullis.gateway.call-timeout: must be a positive duration (was 0s)", StartupFailure.describe(e));
    }

    @Test
    void taskFollowersDefaultToSixtyFourAndAreBound() {
        RunsConfig defaults = ConfigBinding.bind(RunsConfig.class, Map.of());
        RunsConfig set = ConfigBinding.bind(RunsConfig.class, Map.of("portcullis.gateway.runs.task-followers", "8"));

        assertEquals(64, defaults.taskFollowers());
        assertEquals(8, set.taskFollowers());
    }

    @ParameterizedTest
    @CsvSource({"0, must be greater than or equal to 1", "1025, must be less than or equal to 1024"})
    void taskFollowersOutOfRangeStopStartupNamingTheProperty(String value, String rule) {
        Map<String, Object> properties = Map.of("portcullis.gateway.runs.task-followers", value);

        RuntimeException e = assertThrows(RuntimeException.class, () -> ConfigBinding.bind(RunsConfig.class, properties));

        assertEquals("portcullis.gateway.runs.task-followers: " + rule + " (was " + value + ")", StartupFailure.describe(e));
    }

    @Test
    void driftChecksAreOnByDefaultUnderTheTrustDomainsSchedulerIdentity() {
        DriftConfig defaults = ConfigBinding.bind(DriftConfig.class, Map.of());

        assertEquals(new DriftConfig(true, "", 4, Duration.ofSeconds(30)), defaults);
        assertEquals(new dev.portcullis.runtime.identity.SpiffeId("spiffe://example.org/portcullis/drift-scheduler"),
                defaults.scheduler(new dev.portcullis.runtime.identity.SpiffeId("spiffe://example.org/service/gateway")));
    }

    @Test
    void everyDriftKeyIsBound() {
        DriftConfig config = ConfigBinding.bind(DriftConfig.class, Map.of(
                "portcullis.gateway.drift.enabled", "false",
                "portcullis.gateway.drift.scheduler-identity", "spiffe://example.org/ops/drift",
                "portcullis.gateway.drift.max-concurrent-checks", "8",
                "portcullis.gateway.drift.interval", "1m"));

        assertEquals(new DriftConfig(false, "spiffe://example.org/ops/drift", 8, Duration.ofMinutes(1)), config);
        assertEquals("spiffe://example.org/ops/drift",
                config.scheduler(new dev.portcullis.runtime.identity.SpiffeId("spiffe://example.org/service/gateway")).value());
    }

    @Test
    void aSchedulerIdentityThatIsNoSpiffeIdStopsStartupNamingTheProperty() {
        Map<String, Object> properties = Map.of("portcullis.gateway.drift.scheduler-identity", "drift-scheduler");

        RuntimeException e = assertThrows(RuntimeException.class, () -> ConfigBinding.bind(DriftConfig.class, properties));

        assertTrue(StartupFailure.describe(e).startsWith("portcullis.gateway.drift.scheduler-identity must be a SPIFFE ID"),
                StartupFailure.describe(e));
    }

    @Test
    void oneTokenSubmitsFourRunsByDefaultAndTheLimitIsBound() {
        OidcLimitsConfig defaults = ConfigBinding.bind(OidcLimitsConfig.class, Map.of());
        OidcLimitsConfig set = ConfigBinding.bind(OidcLimitsConfig.class, Map.of("portcullis.oidc.max-runs-per-token", "2"));

        assertEquals(4, defaults.maxRunsPerToken());
        assertEquals(2, set.maxRunsPerToken());
    }

    @ParameterizedTest
    @CsvSource({"0, must be greater than or equal to 1", "1001, must be less than or equal to 1000"})
    void aRunsPerTokenLimitOutOfRangeStopsStartupNamingTheProperty(String value, String rule) {
        Map<String, Object> properties = Map.of("portcullis.oidc.max-runs-per-token", value);

        RuntimeException e = assertThrows(RuntimeException.class, () -> ConfigBinding.bind(OidcLimitsConfig.class, properties));

        assertEquals("portcullis.oidc.max-runs-per-token: " + rule + " (was " + value + ")", StartupFailure.describe(e));
    }
}
