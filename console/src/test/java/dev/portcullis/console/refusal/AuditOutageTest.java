package dev.portcullis.console.refusal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.portcullis.console.testing.Browser;
import dev.portcullis.console.testing.ConsoleFixture;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An audit outage neither holds up the console's refusals nor loses their events, while the console runs
 * or across a restart on the same spool directory.
 */
class AuditOutageTest {
    @TempDir
    Path dir;

    @Test
    void aRefusalIsAnsweredWhileTheAuditServiceHangsAndItsEventIsDeliveredWhenItReturns() {
        try (ConsoleFixture fixture = ConsoleFixture.start(dir)) {
            fixture.gateway.auditDown(true);
            Browser browser = fixture.browser();
            String first = "/runs/" + UUID.randomUUID() + "/approve";
            String second = "/runs/" + UUID.randomUUID() + "/approve";
            assertEquals(403, browser.post(fixture.url + first, fixture.url, Map.of()).statusCode());
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> fixture.gateway.appendCalls() >= 1);

            HttpResponse<String> refused = browser.post(fixture.url + second, fixture.url, Map.of()); // the delivery still hangs

            assertEquals(403, refused.statusCode());
            assertEquals(List.of(), fixture.gateway.appended());
            fixture.gateway.auditDown(false);
            List<String> delivered = Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                    .until(() -> fixture.gateway.appended().stream().map(e -> e.getResource().getId()).toList(),
                            paths -> paths.contains(first) && paths.contains(second));
            assertEquals(2, delivered.size());
        }
    }

    @Test
    void aRefusalRecordedWhileTheAuditServiceIsUnreachableIsDeliveredByTheNextConsoleOnTheSameSpool() {
        String spool = dir.resolve("spool").toString();
        String path = "/runs/" + UUID.randomUUID() + "/approve";
        try (ConsoleFixture first = ConsoleFixture.start(dir.resolve("first"), Map.of("portcullis.audit-outbox.spool-dir", spool,
                "portcullis.console.audit-address", "localhost:" + closedPort()))) {
            assertEquals(403, first.browser().post(first.url + path, first.url, Map.of()).statusCode());
        }

        try (ConsoleFixture second = ConsoleFixture.start(dir.resolve("second"), Map.of("portcullis.audit-outbox.spool-dir", spool))) {
            List<String> delivered = Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                    .until(() -> second.gateway.appended().stream().map(e -> e.getResource().getId()).toList(),
                            paths -> paths.contains(path));
            assertEquals(List.of(path), delivered);
        }
    }

    /** A loopback port nothing listens on: the audit service unreachable, refused at once. */
    private static int closedPort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
