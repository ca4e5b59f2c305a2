package dev.portcullis.runtime.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class AuditEventsTest {

    @Test
    void everyActionMapsToItsContractValueAndBack() {
        for (AuditAction action : AuditAction.values()) {
            dev.portcullis.v1.AuditAction proto = AuditEvents.toProto(action);

            assertEquals("AUDIT_ACTION_" + action.name(), proto.name());
            assertEquals(Optional.of(action), AuditEvents.fromProto(proto));
        }
    }

    @Test
    void everyOutcomeMapsToItsContractValueAndBack() {
        for (AuditOutcome outcome : AuditOutcome.values()) {
            dev.portcullis.v1.AuditOutcome proto = AuditEvents.toProto(outcome);

            assertEquals("AUDIT_OUTCOME_" + outcome.name(), proto.name());
            assertEquals(Optional.of(outcome), AuditEvents.fromProto(proto));
        }
    }

    @Test
    void unspecifiedAndUnknownContractValuesHaveNoDomainValue() {
        assertEquals(Optional.empty(), AuditEvents.fromProto(dev.portcullis.v1.AuditAction.AUDIT_ACTION_UNSPECIFIED));
        assertEquals(Optional.empty(), AuditEvents.fromProto(dev.portcullis.v1.AuditAction.UNRECOGNIZED));
        assertEquals(Optional.empty(), AuditEvents.fromProto(dev.portcullis.v1.AuditOutcome.AUDIT_OUTCOME_UNSPECIFIED));
        assertEquals(Optional.empty(), AuditEvents.fromProto(dev.portcullis.v1.AuditOutcome.UNRECOGNIZED));
    }

    @Test
    void theDomainVocabularyIsExactlyTheContractVocabulary() {
        Set<String> contract = Arrays.stream(dev.portcullis.v1.AuditAction.values())
                .filter(a -> a != dev.portcullis.v1.AuditAction.UNRECOGNIZED
                        && a != dev.portcullis.v1.AuditAction.AUDIT_ACTION_UNSPECIFIED)
                .map(a -> a.name().substring("AUDIT_ACTION_".length()))
                .collect(Collectors.toSet());

        Set<String> domain = Arrays.stream(AuditAction.values()).map(Enum::name).collect(Collectors.toSet());

        assertEquals(contract, domain);
    }

    @Test
    void anEventSurvivesTheTripThroughTheContract() {
        AuditEvent event = AuditEvent.builder("gateway", AuditAction.RUN_SUBMITTED, Instant.parse("2026-11-24T09:00:00.123456Z"))
                .actor("spiffe://example.org/ci/app")
                .resource(new AuditResource("run", "r-1", "infra-live", "r-1"))
                .outcome(AuditOutcome.SUCCESS)
                .traceId("0af7651916cd43dd8448eb211c80319c")
                .sourceAddress("127.0.0.1:5000")
                .attributes(Map.of("environment", "prod"))
                .build();

        AuditEvent back = AuditEvents.fromProto(AuditEvents.toProto(event));

        assertEquals(event, back);
        assertEquals(Instant.parse("2026-11-24T09:00:00.123Z"), back.time());
    }

    @Test
    void anUnknownActionIsRefused() {
        dev.portcullis.v1.AuditEvent proto = AuditEvents.toProto(
                AuditEvent.builder("gateway", AuditAction.RUN_SUBMITTED, Instant.now()).build()).toBuilder()
                .setActionValue(999).build();

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AuditEvents.fromProto(proto));

        assertEquals("action is unknown", e.getMessage());
    }
}
