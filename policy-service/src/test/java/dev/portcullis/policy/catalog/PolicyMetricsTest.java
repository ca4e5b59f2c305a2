package dev.portcullis.policy.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.portcullis.catalog.CatalogLoader;
import dev.portcullis.catalog.ExampleCatalog;
import dev.portcullis.policy.decision.EvaluationRequest;
import dev.portcullis.policy.decision.PlanReference;
import dev.portcullis.policy.decision.PolicyEngine;
import dev.portcullis.runtime.identity.SpiffeId;
import dev.portcullis.runtime.request.CatalogName;
import dev.portcullis.runtime.request.CommitSha;
import dev.portcullis.runtime.request.GitRef;
import dev.portcullis.runtime.request.RepoFolder;
import dev.portcullis.runtime.telemetry.Telemetry;
import dev.portcullis.runtime.telemetry.TelemetryConfig;
import dev.portcullis.runtime.telemetry.TelemetryEnvironment;
import dev.portcullis.runtime.testing.PrometheusScrape;
import dev.portcullis.runtime.testing.RecordingAuditRecorder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The policy service's metrics, scraped from its Prometheus endpoint. */
class PolicyMetricsTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-24T09:00:00Z"), ZoneOffset.UTC);

    @TempDir
    Path dir;

    private static EvaluationRequest plan(String command) {
        return new EvaluationRequest(new SpiffeId("spiffe://example.org/ci/github/acme/infra-live"),
                new CatalogName("infra-live"), new CommitSha("0123456789abcdef0123456789abcdef01234567"),
                new GitRef("refs/heads/main"), RepoFolder.parse("stage/net"), new CatalogName("stage"),
                new CatalogName(command), new PlanReference.None(), false);
    }

    @Test
    void decisionsAreCountedByOutcomeAndCatalogCommandAndLoadsByResult() throws Exception {
        Path file = dir.resolve("catalog.yaml");
        Files.writeString(file, ExampleCatalog.text(), StandardCharsets.UTF_8);
        String version = CatalogLoader.digest(ExampleCatalog.text().getBytes(StandardCharsets.UTF_8)).value();
        try (Telemetry telemetry = TelemetryEnvironment.build("policy", new TelemetryConfig(0, "127.0.0.1"));
                ActiveCatalog catalog = new ActiveCatalog(new CatalogLoader(), file, CLOCK, new RecordingAuditRecorder(),
                        telemetry)) {
            PolicyEngine engine = new PolicyEngine(catalog, CLOCK, telemetry);

            engine.evaluate(plan("plan"));
            engine.evaluate(plan("plan"));
            engine.evaluate(plan("made-up-by-the-caller"));
            Files.writeString(file, ExampleCatalog.text().replace("approvals: 1", "approvals: many"), StandardCharsets.UTF_8);
            Files.setLastModifiedTime(file, FileTime.from(Instant.parse("2030-01-01T00:00:00Z")));
            assertEquals(ActiveCatalog.Reload.REJECTED, catalog.reloadIfChanged());
            PrometheusScrape scrape = PrometheusScrape.of(telemetry.prometheusAddress().orElseThrow());

            assertEquals(2, scrape.sum("portcullis_policy_decisions_total",
                    Map.of("outcome", "allow", "command", "plan", "break_glass", "false")), scrape.text());
            assertEquals(1, scrape.sum("portcullis_policy_decisions_total", Map.of("outcome", "deny", "command", "unknown")),
                    scrape.text());
            assertEquals(3, scrape.sum("portcullis_policy_decisions_total", Map.of()), scrape.text());
            assertEquals(1, scrape.sum("portcullis_policy_catalog_loads_total", Map.of("result", "loaded")), scrape.text());
            assertEquals(1, scrape.sum("portcullis_policy_catalog_loads_total", Map.of("result", "rejected")), scrape.text());
            assertEquals(1, scrape.sum("portcullis_policy_catalog_version", Map.of("version", version)), scrape.text());
        }
    }
}
