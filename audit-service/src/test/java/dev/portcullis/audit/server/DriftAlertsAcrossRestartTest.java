package dev.portcullis.audit.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.portcullis.audit.alert.AlertStore;
import dev.portcullis.audit.alert.StoredAlert;
import dev.portcullis.audit.ingest.AuditIngest;
import dev.portcullis.runtime.audit.AuditAction;
import dev.portcullis.runtime.audit.AuditEvent;
import dev.portcullis.runtime.audit.AuditOutcome;
import dev.portcullis.runtime.audit.AuditResource;
import dev.portcullis.runtime.server.ServiceLauncher;
import dev.portcullis.runtime.server.ServiceLauncher.RunningService;
import dev.portcullis.runtime.testing.ServiceFixture;
import dev.portcullis.runtime.testing.TestPki;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The drift rules as the audit service wires them: a streak of failed drift checks reported
 * before a restart is not reported again after it, because the rules are seeded from the stored
 * drift events.
 */
class DriftAlertsAcrossRestartTest {
    @TempDir
    Path dir;

    private Map<String, Object> properties() {
        TestPki pki = TestPki.create(dir.resolve("pki"));
        TestPki.Credential server = pki.issue("audit-server", TestPki.id("service/audit"));
        Map<String, Object> properties = new HashMap<>(ServiceFixture.roleProperties());
        properties.put("portcullis.server.port", 0);
        properties.put("portcullis.tls.cert-file", server.certFile().toString());
        properties.put("portcullis.tls.key-file", server.keyFile().toString());
        properties.put("portcullis.tls.ca-file", server.caFile().toString());
        properties.put("portcullis.audit.data-dir", dir.resolve("audit").toString());
        properties.put("portcullis.server.shutdown-grace", "1s");
        return properties;
    }

    private static AuditEvent failedCheck(int consecutiveFailures) {
        return AuditEvent.builder("gateway", AuditAction.DRIFT_CHECK_FAILED, Instant.now())
                .eventId(UUID.randomUUID())
                .actor("spiffe://example.org/portcullis/drift-scheduler")
                .resource(new AuditResource("drift_target", "infra-live:prod/network:prod", "infra-live", ""))
                .outcome(AuditOutcome.FAILURE)
                .reason("REF_NOT_FOUND")
                .attributes(Map.of("repo", "infra-live", "folder", "prod/network", "environment", "prod",
                        "consecutive_failures", Integer.toString(consecutiveFailures)))
                .build();
    }

    private static List<StoredAlert> failingAlerts(RunningService audit) {
        return audit.context().getBean(AlertStore.class)
                .list(Optional.empty(), Optional.of("drift_check_failing"), Long.MAX_VALUE, 10);
    }

    @Test
    void aStreakReportedBeforeARestartIsNotReportedAgainAfterIt() throws Exception {
        Map<String, Object> properties = properties();
        try (RunningService audit = ServiceLauncher.start("audit", properties, false)) {
            AuditIngest ingest = audit.context().getBean(AuditIngest.class);
            for (int failures = 1; failures <= 3; failures++) {
                ingest.append(List.of(failedCheck(failures)));
            }
            assertEquals(1, failingAlerts(audit).size());
        }

        try (RunningService restarted = ServiceLauncher.start("audit", properties, false)) {
            restarted.context().getBean(AuditIngest.class).append(List.of(failedCheck(4)));

            assertEquals(1, failingAlerts(restarted).size());
        }
    }
}
