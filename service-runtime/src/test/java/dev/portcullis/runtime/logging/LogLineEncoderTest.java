package dev.portcullis.runtime.logging;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.event.KeyValuePair;

class LogLineEncoderTest {
    private static final Instant AT = Instant.parse("2024-03-04T10:00:00.123Z");
    private final LoggerContext context = new LoggerContext();

    @Test
    void jsonLineCarriesTheStandardFieldsInUtcAndEndsWithOneNewline() {
        String line = encode("json", "", event("dev.portcullis.gateway.run.RunDriver", "run.dispatched", Map.of(), List.of()));

        JsonObject json = parse(line);
        assertEquals("2024-03-04T10:00:00.123Z", json.get("timestamp").getAsString());
        assertEquals("INFO", json.get("level").getAsString());
        assertEquals("dev.portcullis.gateway.run.RunDriver", json.get("logger").getAsString());
        assertEquals("gateway", json.get("service").getAsString());
        assertEquals("run.dispatched", json.get("message").getAsString());
        assertFalse(json.has("trace_id"), line);
        assertTrue(line.endsWith("}" + System.lineSeparator()) && line.lines().count() == 1, line);
    }

    @Test
    void traceAndSpanIdsAreThoseOfTheCurrentSpan() {
        try (SdkTracerProvider tracing = SdkTracerProvider.builder().build()) {
            Span span = tracing.get("test").spanBuilder("work").startSpan();
            String line;
            try (Scope ignored = span.makeCurrent()) {
                line = encode("json", "", event("dev.portcullis.executor.task.TaskService", "task.started", Map.of(), List.of()));
            } finally {
                span.end();
            }

            JsonObject json = parse(line);
            assertEquals(span.getSpanContext().getTraceId(), json.get("trace_id").getAsString());
            assertEquals(span.getSpanContext().getSpanId(), json.get("span_id").getAsString());
        }
    }

    @Test
    void runIdComesFromTheMdcAndKeyValuePairsAreFields() {
        String line = encode("json", "", event("dev.portcullis.gateway.run.RunDriver", "run.dispatched",
                Map.of("run_id", "3f2a"), List.of(new KeyValuePair("repo", "infra-live"), new KeyValuePair("attempt", 2))));

        JsonObject json = parse(line);
        assertEquals("3f2a", json.get("run_id").getAsString());
        assertEquals("infra-live", json.get("repo").getAsString());
        assertEquals("2", json.get("attempt").getAsString());
    }

    @Test
    void quotesNewlinesBackslashesAndControlCharactersAreEscaped() {
        String hostile = "say \"hi\"\nback\\slash\ttab\u0001\u001f end \u2028";

        String line = encode("json", "", event("dev.portcullis.policy.Anything", hostile, Map.of(),
                List.of(new KeyValuePair("first_problem", hostile))));

        assertEquals(1, line.lines().count(), line);
        JsonObject json = parse(line);
        assertEquals(hostile, json.get("message").getAsString());
        assertEquals(hostile, json.get("first_problem").getAsString());
    }

    @Test
    void exceptionHasItsClassMessageAndStack() {
        LoggingEvent event = event("dev.portcullis.audit.ingest.AuditIngest", "ingest.failed", Map.of(), List.of());
        event.setThrowableProxy(new ch.qos.logback.classic.spi.ThrowableProxy(
                new IllegalStateException("line one\n\"two\"", new java.io.IOException("cause"))));

        JsonObject exception = parse(encode("json", "", event)).getAsJsonObject("exception");

        assertEquals("java.lang.IllegalStateException", exception.get("class").getAsString());
        assertEquals("line one\n\"two\"", exception.get("message").getAsString());
        String stack = exception.get("stack").getAsString();
        assertTrue(stack.contains("LogLineEncoderTest.exceptionHasItsClassMessageAndStack"), stack);
        assertTrue(stack.contains("Caused by: java.io.IOException: cause"), stack);
    }

    @Test
    void runtimeLoggersNameTheServiceOfTheirKeyValuePairOrElseTheProcess() {
        String named = encode("json", "executor", event("dev.portcullis.runtime.transport.ServiceServer", "server.started",
                Map.of(), List.of(new KeyValuePair("service", "policy"))));
        String unnamed = encode("json", "executor", event("dev.portcullis.runtime.outbox.AuditOutbox", "outbox.delivery_failed",
                Map.of(), List.of()));

        assertEquals("policy", parse(named).get("service").getAsString());
        assertEquals("executor", parse(unnamed).get("service").getAsString());
    }

    @Test
    void fieldsNamedLikeCredentialsAreRedacted() {
        String line = encode("json", "", event("dev.portcullis.executor.secret.VaultSecretSource", "vault.login",
                Map.of("vault_token", "hvs.CAESIJ"), List.of(new KeyValuePair("db_password", "hunter2"),
                        new KeyValuePair("path", "secret/data/prod"))));

        JsonObject json = parse(line);
        assertFalse(line.contains("hunter2") || line.contains("hvs.CAESIJ"), line);
        assertEquals("[redacted]", json.get("db_password").getAsString());
        assertEquals("[redacted]", json.get("vault_token").getAsString());
        assertEquals("secret/data/prod", json.get("path").getAsString());
    }

    @Test
    void aKeyValuePairCannotOverwriteAStandardField() {
        String line = encode("json", "", event("dev.portcullis.gateway.X", "real message", Map.of(),
                List.of(new KeyValuePair("message", "forged"), new KeyValuePair("level", "DEBUG"))));

        JsonObject json = parse(line);
        assertEquals("real message", json.get("message").getAsString());
        assertEquals("INFO", json.get("level").getAsString());
        assertEquals("forged", json.get("kv_message").getAsString());
    }

    @Test
    void textLineIsHumanReadableWithRunAndTraceIds() {
        try (SdkTracerProvider tracing = SdkTracerProvider.builder().build()) {
            Span span = tracing.get("test").spanBuilder("work").startSpan();
            String line;
            try (Scope ignored = span.makeCurrent()) {
                line = encode("text", "", event("dev.portcullis.gateway.run.RunDriver", "run.dispatched",
                        Map.of("run_id", "3f2a"), List.of(new KeyValuePair("repo", "infra-live"))));
            } finally {
                span.end();
            }

            assertTrue(line.matches("[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3} INFO  RunDriver run\\.dispatched repo=\"infra-live\" "
                    + "run_id=3f2a trace_id=" + span.getSpanContext().getTraceId() + "\\R"), line);
        }
    }

    @Test
    void anUnknownFormatIsRefusedNamingTheVariable() {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> new LogLineEncoder().setFormat("xml"));

        assertTrue(refused.getMessage().contains("PORTCULLIS_LOG_FORMAT"), refused.getMessage());
    }

    private LoggingEvent event(String logger, String message, Map<String, String> mdc, List<KeyValuePair> pairs) {
        LoggingEvent event = new LoggingEvent();
        event.setLoggerName(logger);
        event.setLevel(Level.INFO);
        event.setMessage(message);
        event.setTimeStamp(AT.toEpochMilli());
        event.setMDCPropertyMap(mdc);
        pairs.forEach(event::addKeyValuePair);
        event.setLoggerContext(context);
        return event;
    }

    private String encode(String format, String service, LoggingEvent event) {
        LogLineEncoder encoder = new LogLineEncoder();
        encoder.setContext(context);
        encoder.setFormat(format);
        encoder.setService(service);
        encoder.start();
        return new String(encoder.encode(event), UTF_8);
    }

    /** Parses strictly: exactly one JSON object, nothing around it. */
    private static JsonObject parse(String line) {
        try (JsonReader reader = new JsonReader(new StringReader(line))) {
            reader.setStrictness(Strictness.STRICT);
            JsonElement element = new Gson().getAdapter(JsonElement.class).read(reader);
            assertEquals(JsonToken.END_DOCUMENT, reader.peek(), line);
            return element.getAsJsonObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
