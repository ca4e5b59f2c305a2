package dev.portcullis.runtime.role;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.runtime.server.StartupFailure;
import dev.portcullis.runtime.testing.ConfigBinding;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RolesConfigTest {

    @Test
    void emptyEnvironmentGrantsNoRole() {
        RolesConfig config = ConfigBinding.bind(RolesConfig.class, Map.of());

        assertEquals(new RolesConfig(List.of(), List.of(), List.of(), List.of(), List.of(), List.of()), config);
    }

    @Test
    void everyKeyIsBound() {
        Map<String, Object> properties = Map.of(
                "portcullis.roles.ci", List.of("spiffe://example.org/ci/**"),
                "portcullis.roles.approver", List.of("spiffe://example.org/human/alice", "spiffe://example.org/human/bob"),
                "portcullis.roles.auditor", List.of("spiffe://example.org/human/carol"),
                "portcullis.roles.admin", List.of("spiffe://example.org/human/root"),
                "portcullis.roles.service", List.of("spiffe://example.org/service/*"),
                "portcullis.roles.gateway", List.of("spiffe://example.org/service/gateway"));

        RolesConfig config = ConfigBinding.bind(RolesConfig.class, properties);

        assertEquals(List.of("spiffe://example.org/ci/**"), config.ci());
        assertEquals(List.of("spiffe://example.org/human/alice", "spiffe://example.org/human/bob"), config.approver());
        assertEquals(List.of("spiffe://example.org/human/carol"), config.auditor());
        assertEquals(List.of("spiffe://example.org/human/root"), config.admin());
        assertEquals(List.of("spiffe://example.org/service/*"), config.service());
        assertEquals(List.of("spiffe://example.org/service/gateway"), config.gateway());
    }

    @Test
    void commaSeparatedValueBindsAsSeveralPatterns() {
        Map<String, Object> properties = Map.of(
                "portcullis.roles.approver", "spiffe://example.org/human/alice,spiffe://example.org/human/bob");

        RolesConfig config = ConfigBinding.bind(RolesConfig.class, properties);

        assertEquals(List.of("spiffe://example.org/human/alice", "spiffe://example.org/human/bob"), config.approver());
    }

    @Test
    void badPatternStopsStartupNamingTheProperty() {
        Map<String, Object> properties = Map.of("portcullis.roles.ci", List.of("spiffe://example.org/ci/a*b"));

        RuntimeException e = assertThrows(RuntimeException.class,
                () -> ConfigBinding.bind(RoleMapping.class, properties));

        assertTrue(StartupFailure.describe(e).startsWith("portcullis.roles.ci: "), () -> StartupFailure.describe(e));
    }

    @Test
    void patternsForReturnsTheListOfThatRole() {
        RolesConfig config = new RolesConfig(List.of("c"), List.of("ap"), List.of("au"), List.of("ad"), List.of("s"),
                List.of("g"));

        List<List<String>> perRole = List.of(config.patternsFor(Role.CI), config.patternsFor(Role.APPROVER),
                config.patternsFor(Role.AUDITOR), config.patternsFor(Role.ADMIN), config.patternsFor(Role.SERVICE),
                config.patternsFor(Role.GATEWAY));

        assertEquals(List.of(List.of("c"), List.of("ap"), List.of("au"), List.of("ad"), List.of("s"), List.of("g")),
                perRole);
    }
}
