package dev.portcullis.runtime.role;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.runtime.identity.IdentityPattern;
import dev.portcullis.runtime.identity.SpiffeId;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RoleMappingTest {
    private static final SpiffeId GATEWAY = SpiffeId.parse("spiffe://example.org/service/gateway");
    private static final SpiffeId CI_JOB = SpiffeId.parse("spiffe://example.org/ci/github/acme/infra-live");

    private final RoleMapping mapping = new RoleMapping(Map.of(
            Role.CI, List.of(pattern("spiffe://example.org/ci/**")),
            Role.SERVICE, List.of(pattern("spiffe://example.org/service/*")),
            Role.GATEWAY, List.of(pattern("spiffe://example.org/service/gateway")),
            Role.ADMIN, List.of(pattern("spiffe://example.org/human/root"), pattern("spiffe://example.org/service/gateway")),
            Role.AUDITOR, List.of()));

    @Test
    void identityHoldsEveryRoleWithAMatchingPattern() {
        Set<Role> roles = mapping.rolesOf(GATEWAY);

        assertEquals(Set.of(Role.SERVICE, Role.GATEWAY, Role.ADMIN), roles);
    }

    @Test
    void identityHoldsOnlyTheRolesThatMatch() {
        Set<Role> roles = mapping.rolesOf(CI_JOB);

        assertEquals(Set.of(Role.CI), roles);
    }

    @Test
    void identityMatchingNoPatternHoldsNoRole() {
        Set<Role> roles = mapping.rolesOf(SpiffeId.parse("spiffe://example.org/human/nobody"));

        assertEquals(Set.of(), roles);
    }

    @Test
    void identityOfAnotherTrustDomainHoldsNoRole() {
        Set<Role> roles = mapping.rolesOf(SpiffeId.parse("spiffe://other.org/service/gateway"));

        assertEquals(Set.of(), roles);
    }

    @Test
    void emptyMappingGrantsNothing() {
        RoleMapping empty = new RoleMapping(Map.of());

        Set<Role> roles = empty.rolesOf(GATEWAY);

        assertEquals(Set.of(), roles);
        assertTrue(empty.isEmpty());
    }

    @Test
    void mappingFromAnEmptyConfigurationGrantsNothing() {
        RolesConfig config = new RolesConfig(null, null, null, null, null, null);

        RoleMapping fromConfig = RoleMapping.from(config);

        assertTrue(fromConfig.isEmpty());
        assertEquals(Set.of(), fromConfig.rolesOf(GATEWAY));
    }

    @Test
    void mappingWithAnyPatternIsNotEmpty() {
        boolean empty = mapping.isEmpty();

        assertFalse(empty);
    }

    @Test
    void mappingFromConfigurationAssignsEachRoleItsPatterns() {
        RolesConfig config = new RolesConfig(
                List.of("spiffe://example.org/ci/**"),
                List.of("spiffe://example.org/human/approver"),
                List.of("spiffe://example.org/human/auditor"),
                List.of("spiffe://example.org/human/admin"),
                List.of("spiffe://example.org/service/*"),
                List.of("spiffe://example.org/service/gateway"));

        RoleMapping fromConfig = RoleMapping.from(config);

        assertEquals(Set.of(Role.CI), fromConfig.rolesOf(CI_JOB));
        assertEquals(Set.of(Role.SERVICE, Role.GATEWAY), fromConfig.rolesOf(GATEWAY));
        assertEquals(Set.of(Role.APPROVER), fromConfig.rolesOf(SpiffeId.parse("spiffe://example.org/human/approver")));
        assertEquals(Set.of(Role.AUDITOR), fromConfig.rolesOf(SpiffeId.parse("spiffe://example.org/human/auditor")));
        assertEquals(Set.of(Role.ADMIN), fromConfig.rolesOf(SpiffeId.parse("spiffe://example.org/human/admin")));
    }

    @Test
    void badPatternInConfigurationIsRefusedNamingTheProperty() {
        RolesConfig config = new RolesConfig(
                List.of("spiffe://example.org/ci/**/main"), null, null, null, null, null);

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RoleMapping.from(config));

        assertTrue(e.getMessage().startsWith("portcullis.roles.ci: "), e::getMessage);
        assertTrue(e.getMessage().contains("spiffe://example.org/ci/**/main"), e::getMessage);
    }

    @Test
    void everyBadPatternInConfigurationIsReported() {
        RolesConfig config = new RolesConfig(
                null, List.of("https://example.org/human/approver"), null, null, null, List.of("spiffe://Example.org/gw"));

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RoleMapping.from(config));

        assertTrue(e.getMessage().contains("portcullis.roles.approver: "), e::getMessage);
        assertTrue(e.getMessage().contains("portcullis.roles.gateway: "), e::getMessage);
    }

    private static IdentityPattern pattern(String value) {
        return new IdentityPattern(value);
    }
}
