package dev.portcullis.cli.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.audit.source.Delivery;
import dev.portcullis.audit.source.SourceIntake;
import dev.portcullis.audit.source.Verdict;
import dev.portcullis.cli.command.ExitStatus;
import dev.portcullis.cli.Portcullis;
import dev.portcullis.runtime.testing.ServiceFixture;
import dev.portcullis.runtime.testing.TestIdentity;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code portcullis audit sources} against an audit service with two outside sources. */
class AuditSourcesCommandTest {
    private static final String SECRET = "github-webhook-secret-for-tests";

    @TempDir
    Path dir;

    private ServiceFixture fixture;
    private final StringWriter out = new StringWriter();

    @BeforeEach
    void start() throws Exception {
        Files.writeString(dir.resolve("secret"), SECRET);
        fixture = ServiceFixture.start("audit", dir, Map.of(
                "portcullis.audit.data-dir", dir.resolve("audit").toString(),
                "portcullis.audit.sources.feeds.github-acme.kind", "github",
                "portcullis.audit.sources.feeds.github-acme.secret-file", dir.resolve("secret").toString(),
                "portcullis.audit.sources.feeds.jenkins.kind", "generic",
                "portcullis.audit.sources.feeds.jenkins.secret-file", dir.resolve("secret").toString(),
                "portcullis.audit.sources.feeds.jenkins.max-silence", "1ms"));
    }

    @AfterEach
    void stop() {
        fixture.close();
    }

    private int run(String... command) {
        CommandLine cli = Portcullis.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(out));
        String[] args = new String[command.length + 8];
        System.arraycopy(command, 0, args, 0, command.length);
        System.arraycopy(new String[] {"--audit-addr", "localhost:" + fixture.port(),
                "--ca-file", fixture.pki().caFile().toString(),
                "--cert-file", fixture.credential(TestIdentity.AUDITOR).certFile().toString(),
                "--key-file", fixture.credential(TestIdentity.AUDITOR).keyFile().toString()}, 0, args, command.length, 8);
        return cli.execute(args);
    }

    @Test
    void sourcesShowsDeliveriesRefusalsAndSilenceAndExitsOneWhenAFeedIsSilent() throws Exception {
        SourceIntake intake = fixture.service().context().getBean(SourceIntake.class);
        byte[] body = "{\"zen\": \"Keep it logically awesome.\", \"hook_id\": 1}".getBytes(StandardCharsets.UTF_8);
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        String signature = "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
        Map<String, String> headers = Map.of("Content-Type", "application/json", "X-GitHub-Event", "ping",
                "X-GitHub-Delivery", "ping-1", "X-Hub-Signature-256", signature);
        assertEquals(Verdict.ACCEPTED, intake.receive(new Delivery("github-acme", "POST", headers, body, false,
                "127.0.0.1:40000")).verdict());
        assertEquals(Verdict.REPLAYED, intake.receive(new Delivery("github-acme", "POST", headers, body, false,
                "127.0.0.1:40000")).verdict());

        int status = run("audit", "sources");

        String printed = out.toString();
        assertEquals(ExitStatus.UNHEALTHY.code(), status, printed);
        assertTrue(printed.contains("listener: off"), printed);
        assertTrue(printed.matches("(?s).*github-acme\\s+github\\s+\\d{4}-\\S+\\s+1\\s+1\\s+REPLAYED\\s+-\\s+ok.*"), printed);
        assertTrue(printed.matches("(?s).*jenkins\\s+generic\\s+never\\s+0\\s+0\\s+-\\s+0\\.001s\\s+SILENT.*"), printed);
    }
}
