package dev.portcullis.runtime.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.runtime.identity.IdentityPattern;
import dev.portcullis.runtime.pki.DevPki;
import dev.portcullis.runtime.role.Role;
import dev.portcullis.runtime.role.RoleMapping;
import dev.portcullis.runtime.testing.TestPki;
import dev.portcullis.runtime.transport.TlsConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Outside dev mode a service refuses development material and settings, naming each setting to change. */
class ProductionSafetyTest {
    private static final String POSTGRES = "jdbc:postgresql://db.internal:5432/portcullis";

    @TempDir
    Path dir;

    private static RoleMapping roles() {
        return new RoleMapping(Map.of(Role.CI, List.of(new IdentityPattern("spiffe://example.org/ci/**"))));
    }

    private TlsConfig production() {
        TestPki pki = TestPki.create(dir.resolve("pki"));
        return pki.tlsConfig(pki.issue("audit", TestPki.id("service/audit")), Duration.ofSeconds(10));
    }

    @Test
    void productionMaterialAndPostgresPass() {
        assertEquals(List.of(), ProductionSafety.problems("audit", production(), roles(), POSTGRES));
    }

    @Test
    void theDevCaAndDevCertificatesAreRefused() {
        DevPki dev = new DevPki(dir.resolve("dev"));
        dev.init(Clock.systemUTC());
        TlsConfig tls = new TlsConfig(dev.certFile("audit"), dev.keyFile("audit"), dev.caFile(), Duration.ofSeconds(10));

        List<String> problems = ProductionSafety.problems("audit", tls, roles(), POSTGRES);

        assertTrue(problems.stream().anyMatch(p -> p.startsWith("portcullis.tls.ca-file trusts the Portcullis dev CA")), problems.toString());
        assertTrue(problems.stream().anyMatch(p -> p.startsWith("portcullis.tls.cert-file is a dev certificate")), problems.toString());
    }

    @Test
    void aKeyFileOthersMayReadIsRefused() throws Exception {
        TlsConfig tls = production();
        Files.setPosixFilePermissions(tls.keyFile(), PosixFilePermissions.fromString("rw-r--r--"));

        List<String> problems = ProductionSafety.problems("audit", tls, roles(), POSTGRES);

        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).startsWith("portcullis.tls.key-file") && problems.get(0).contains("chmod 600"));
    }

    @Test
    void noRoleMappingIsRefused() {
        List<String> problems = ProductionSafety.problems("policy", production(), new RoleMapping(Map.of()), "");

        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).startsWith("portcullis.roles.*"));
    }

    @Test
    void embeddedH2IsRefusedForTheServicesThatKeepData() {
        assertTrue(ProductionSafety.problems("audit", production(), roles(), "").get(0).startsWith("portcullis.audit.jdbc-url"));
        assertTrue(ProductionSafety.problems("gateway", production(), roles(), "jdbc:h2:file:/tmp/x").get(0)
                .startsWith("portcullis.gateway.store.jdbc-url"));
        assertEquals(List.of(), ProductionSafety.problems("policy", production(), roles(), ""), "policy keeps no database");
    }

    @Test
    void aServiceStartedOnItsOwnWithDevMaterialDoesNotStartAndNamesTheSettings() {
        DevPki dev = new DevPki(dir.resolve("dev"));
        dev.init(Clock.systemUTC());
        Map<String, Object> properties = Map.of(
                "portcullis.server.host", "127.0.0.1",
                "portcullis.server.port", 0,
                "portcullis.tls.cert-file", dev.certFile("policy").toString(),
                "portcullis.tls.key-file", dev.keyFile("policy").toString(),
                "portcullis.tls.ca-file", dev.caFile().toString());

        IllegalStateException refused = assertThrows(IllegalStateException.class,
                () -> ServiceLauncher.start("policy", properties, true).close());

        assertTrue(refused.getMessage().contains("portcullis.tls.ca-file") && refused.getMessage().contains("portcullis.roles.*"),
                refused.getMessage());
    }
}
