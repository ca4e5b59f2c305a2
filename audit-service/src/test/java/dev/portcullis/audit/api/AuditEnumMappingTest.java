package dev.portcullis.audit.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.portcullis.audit.alert.Alert;
import dev.portcullis.audit.source.SourceKind;
import org.junit.jupiter.api.Test;

/** Each domain value maps to the contract value of its own name (the mappers have no reverse). */
class AuditEnumMappingTest {

    @Test
    void everySeverityMapsToTheContractValueOfItsName() {
        for (Alert.Severity severity : Alert.Severity.values()) {
            assertEquals("ALERT_SEVERITY_" + severity.name(), AuditGrpcService.toProto(severity).name());
        }
    }

    @Test
    void everySourceKindMapsToTheContractValueOfItsName() {
        for (SourceKind kind : SourceKind.values()) {
            assertEquals("SOURCE_KIND_" + kind.name(), AuditGrpcService.toProto(kind).name());
        }
    }
}
