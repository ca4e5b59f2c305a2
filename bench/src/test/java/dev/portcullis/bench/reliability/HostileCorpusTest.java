package dev.portcullis.bench.reliability;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.portcullis.cli.dev.DevMode;
import dev.portcullis.cli.dev.DevModeOptions;
import dev.portcullis.runtime.pki.DevPki;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hostile-input corpus against the dev suite in this JVM: every attack refused with the
 * expected status and reason, and every refusal in the audit log.
 */
class HostileCorpusTest {
    /**
     * Every case of the corpus, including the three that need this test's catalog (the admin's
     * self-approval, the repository of other CI identities asked for with a certificate and with
     * a token) and the 16 identity-token cases: fewer would mean some did not run.
     */
    private static final int CORPUS_SIZE = 189;

    @TempDir
    Path dir;

    @Test
    void everyHostileInputIsRefusedAndAudited() throws IOException {
        Path data = dir.resolve("data");
        Files.createDirectories(data);
        // the dev catalog plus what lets the corpus try more: the admin may submit (so its
        // self-approval can be tried) and a repository only other CI identities may use
        String devCatalog;
        try (InputStream in = DevMode.class.getResourceAsStream("/dev/catalog.yaml")) {
            devCatalog = new String(in.readAllBytes(), UTF_8);
        }
        String catalog = devCatalog.replace("@REPOS@", data.resolve("repos").toAbsolutePath().toString())
                .replace("callers: [\"spiffe://portcullis.dev/ci/**\"]",
                        "callers: [\"spiffe://portcullis.dev/ci/**\", \"spiffe://portcullis.dev/human/admin\"]")
                + """
                  - name: billing
                    url: https://git.example.org/billing.git
                    folders: ["stage/**"]
                    callers: ["spiffe://portcullis.dev/ci/billing/**"]
                    rules:
                      - commands: [plan]
                        refs: ["refs/heads/main"]
                        environments: [stage]
                """;
        Files.writeString(data.resolve("catalog.yaml"), catalog, UTF_8);

        HostileReport report;
        // dev mode's gateway accepts its dev issuer; the corpus adds a second issuer that is down
        String down = SuiteIssuers.unreachableIssuerUrl();
        // every refusal of the corpus audited one by one: more than a server's default 20 a second
        // are provoked here, and the budget's own cut-off has its test (RefusedHandshakeAuditTest)
        Map<String, Object> gateway = new HashMap<>(SuiteIssuers.downIssuerProperties(down, new DevPki(data.resolve("pki"))));
        gateway.putAll(SuiteEndpoints.UNLIMITED_REFUSALS);
        try (DevMode dev = DevMode.start(DevModeOptions.in(data).withOverrides(Map.of("gateway", gateway,
                "audit", SuiteEndpoints.UNLIMITED_REFUSALS)))) {
            SuiteIssuers issuers = new SuiteIssuers(dev.issuer().tokens(), down);
            SuiteEndpoints suite = new SuiteEndpoints(dev.pki(), "127.0.0.1", dev.ports().get("gateway"),
                    dev.ports().get("audit"), dev.catalogFile(), issuers);
            report = HostileCorpus.run(suite);
        }

        assertEquals(java.util.List.of(), report.unexpected(), "cases not refused and audited as expected");
        assertEquals(report.tried(), report.refused());
        assertEquals(CORPUS_SIZE, report.tried());
    }
}
