package dev.portcullis.runtime.logging;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * A service's main configures its own logs: in a JVM of its own (the test's logback-test.xml on
 * the classpath, as any logback.xml would be), what it logs comes out on stdout as JSON lines, or
 * as text when PORTCULLIS_LOG_FORMAT says so.
 */
class ConsoleLogsTest {

    /** Stands in for a service's main class. */
    public static final class ServiceMain {
        public static void main(String[] args) {
            ConsoleLogs.install("gateway", System.getenv());
            try (MDC.MDCCloseable ignored = MDC.putCloseable("run_id", "3f2a")) {
                LoggerFactory.getLogger("dev.portcullis.runtime.outbox.AuditOutbox").atInfo()
                        .addKeyValue("backlog", 3).log("outbox.started");
            }
            LoggerFactory.getLogger("dev.portcullis.gateway.X").debug("not at INFO");
        }
    }

    @Test
    void aServiceLogsOneJsonObjectPerLineOnStdoutByDefault() throws Exception {
        List<String> lines = run(Map.of());

        assertEquals(1, lines.size(), lines.toString());
        JsonObject json = JsonParser.parseString(lines.get(0)).getAsJsonObject();
        assertEquals("gateway", json.get("service").getAsString());
        assertEquals("outbox.started", json.get("message").getAsString());
        assertEquals("3f2a", json.get("run_id").getAsString());
        assertEquals("3", json.get("backlog").getAsString());
    }

    @Test
    void textWhenTheEnvironmentAsks() throws Exception {
        List<String> lines = run(Map.of(ConsoleLogs.FORMAT_VARIABLE, "text"));

        assertEquals(1, lines.size(), lines.toString());
        assertTrue(lines.get(0).matches("\\S+ INFO  AuditOutbox outbox\\.started backlog=\"3\" run_id=3f2a"), lines.get(0));
    }

    private static List<String> run(Map<String, String> environment) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), ServiceMain.class.getName())
                .redirectError(ProcessBuilder.Redirect.DISCARD);
        builder.environment().remove(ConsoleLogs.FORMAT_VARIABLE);
        builder.environment().putAll(environment);
        Process process = builder.start();
        byte[] out = process.getInputStream().readAllBytes();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the service JVM did not end");
        assertEquals(0, process.exitValue());
        // logback's own status lines (two logback-test.xml in reactor builds) are not events
        return new String(out, UTF_8).lines().filter(l -> !l.contains("|-")).toList();
    }
}
