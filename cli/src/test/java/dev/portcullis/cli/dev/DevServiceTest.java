package dev.portcullis.cli.dev;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.portcullis.runtime.pki.DevPki;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The dev suite's services: names, start order, ports beside the gateway's, identities. */
class DevServiceTest {
    @Test
    void servicesStartGatewayLastAndSitBesideTheGatewaysPort() {
        assertEquals(List.of("audit", "policy", "executor", "gateway"), DevService.names());
        assertEquals(List.of(7443, 7444, 7445, 7446), List.of(DevService.GATEWAY.port(7443), DevService.POLICY.port(7443),
                DevService.EXECUTOR.port(7443), DevService.AUDIT.port(7443)));
    }

    @Test
    void aServiceIsFoundByItsNameAndPresentsItsOwnCertificate() {
        for (DevService service : DevService.values()) {
            assertEquals(service, DevService.named(service.serviceName()));
            assertEquals(DevPki.Member.valueOf(service.name()), service.member());
        }
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> DevService.named("Gateway"));
        assertEquals("unknown service 'Gateway'; choose from [audit, policy, executor, gateway]", unknown.getMessage());
    }

    @Test
    void onlyTheGatewayAndAuditKeepADatabase() {
        assertEquals(Optional.of("portcullis.gateway.store."), DevService.GATEWAY.storePrefix());
        assertEquals(Optional.of("portcullis.audit."), DevService.AUDIT.storePrefix());
        assertEquals(Optional.empty(), DevService.POLICY.storePrefix());
        assertEquals(Optional.of("portcullis.executor.store."), DevService.EXECUTOR.storePrefix());
    }
}
