package dev.portcullis.runtime.telemetry;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** What a refused OpenTelemetry setting says: the property, never its value (header values are credentials). */
class TelemetryEnvironmentTest {

    @Test
    void aRefusedHeadersValueIsNamedWithoutQuotingIt() {
        // the message the SDK's DefaultConfigProperties.getMap throws for a malformed OTEL_EXPORTER_OTLP_HEADERS
        String sdk = "Invalid map property: otel.exporter.otlp.headers=Authorization=Bearer s3cr3t-token,x";

        assertEquals("Invalid map property: otel.exporter.otlp.headers (value not shown)", TelemetryEnvironment.withoutValue(sdk));
    }

    @Test
    void aMessageWithoutAValueIsKept() {
        assertEquals("Unrecognized value for otel.traces.exporter: carrier-pigeon",
                TelemetryEnvironment.withoutValue("Unrecognized value for otel.traces.exporter: carrier-pigeon"));
    }
}
