package dev.portcullis.policy.catalog;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.catalog.CatalogLoader;
import dev.portcullis.catalog.CatalogRejectedException;
import dev.portcullis.catalog.ExampleCatalog;
import dev.portcullis.policy.decision.Decision;
import dev.portcullis.policy.decision.EvaluationRequest;
import dev.portcullis.policy.decision.PlanReference;
import dev.portcullis.policy.decision.PolicyEngine;
import dev.portcullis.runtime.identity.SpiffeId;
import dev.portcullis.runtime.request.CatalogName;
import dev.portcullis.runtime.request.CommitSha;
import dev.portcullis.runtime.request.GitRef;
import dev.portcullis.runtime.request.RepoFolder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Hot reload: a valid version replaces the old one whole; an invalid one never takes effect. */
class ActiveCatalogTest {
    @TempDir
    Path dir;

    private static final String V1 = ExampleCatalog.text();
    /** v3 no longer lets stage plan from pull requests. */
    private static final String V3 = V1.replace("refs: [\"refs/heads/*\", \"refs/pull/*/head\"]", "refs: [\"refs/heads/*\"]");
    private static final String BAD = V1.replace("approvals: 1", "approvals: many");
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-24T09:00:00Z"), ZoneOffset.UTC);
    private static final EvaluationRequest PR_PLAN = new EvaluationRequest(
            new SpiffeId("spiffe://example.org/ci/github/acme/infra-live"), new CatalogName("infra-live"),
            new CommitSha("0123456789abcdef0123456789abcdef01234567"), new GitRef("refs/pull/7/head"),
            RepoFolder.parse("stage/net"), new CatalogName("stage"), new CatalogName("plan"),
            new PlanReference.None(), false);

    private int generation;

    private void write(Path file, String content) throws Exception {
        Path temp = dir.resolve("next.yaml");
        Files.writeString(temp, content, StandardCharsets.UTF_8);
        // a distinct modification time per write, whatever the file system's granularity
        Files.setLastModifiedTime(temp, FileTime.from(Instant.parse("2026-01-01T00:00:00Z").plusSeconds(++generation)));
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    @Test
    void anInvalidCatalogAtStartIsRefusedWithItsProblems() throws Exception {
        Path file = dir.resolve("catalog.yaml");
        write(file, BAD);

        CatalogRejectedException e = assertThrows(CatalogRejectedException.class,
                () -> new ActiveCatalog(new CatalogLoader(), file, CLOCK, new dev.portcullis.runtime.testing.RecordingAuditRecorder()));

        assertEquals("environments.prod.approvals", e.problems().get(0).field());
    }

    @Test
    void goodThenBadThenGoodWhileDecisionsAreServed() throws Exception {
        Path file = dir.resolve("catalog.yaml");
        write(file, V1);
        String v1 = CatalogLoader.digest(V1.getBytes(StandardCharsets.UTF_8)).value();
        String v3 = CatalogLoader.digest(V3.getBytes(StandardCharsets.UTF_8)).value();
        var audit = new dev.portcullis.runtime.testing.RecordingAuditRecorder();
        try (ActiveCatalog catalog = new ActiveCatalog(new CatalogLoader(), file, CLOCK, audit)) {
            PolicyEngine engine = new PolicyEngine(catalog, CLOCK);
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong decisions = new AtomicLong();
            Map<String, String> outcomesByVersion = new ConcurrentHashMap<>();
            List<String> violations = new java.util.concurrent.CopyOnWriteArrayList<>();
            ExecutorService evaluators = Executors.newFixedThreadPool(2);
            List<Future<?>> running = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                running.add(evaluators.submit(() -> {
                    while (!stop.get() && decisions.get() < 5_000_000) {
                        Decision decision = engine.evaluate(PR_PLAN);
                        decisions.incrementAndGet();
                        String version = decision.catalogVersion().value();
                        // a decision must match the catalog version it names: v1 allows, v3 denies
                        boolean consistent = version.equals(v1) ? decision.allowed()
                                : version.equals(v3) && !decision.allowed();
                        if (!consistent) {
                            violations.add(version + " " + decision.outcome());
                        }
                        outcomesByVersion.put(version, decision.outcome().name());
                    }
                }));
            }

            awaitDecisions(decisions, 1_000);
            write(file, BAD);
            assertEquals(ActiveCatalog.Reload.REJECTED, catalog.reloadIfChanged());
            awaitDecisions(decisions, decisions.get() + 1_000);
            assertEquals(v1, catalog.current().catalog().version().value());
            write(file, V3);
            assertEquals(ActiveCatalog.Reload.LOADED, catalog.reloadIfChanged());
            awaitDecisions(decisions, decisions.get() + 1_000);
            stop.set(true);
            for (Future<?> future : running) {
                future.get(30, TimeUnit.SECONDS);
            }
            evaluators.shutdown();

            assertEquals(List.of(), violations);
            assertEquals(Map.of(v1, "ALLOW", v3, "DENY"), outcomesByVersion);
            assertEquals(v3, catalog.current().catalog().version().value());
            assertEquals(List.of("catalog.loaded " + v1, "catalog.rejected " + CatalogLoader.digest(BAD.getBytes(StandardCharsets.UTF_8)).value(),
                    "catalog.loaded " + v3), audit.events().stream()
                    .map(e -> e.action().dottedName() + " " + e.resource().id()).toList());
        }
    }

    @Test
    void aRewriteWithTheSameContentDoesNotReload() throws Exception {
        Path file = dir.resolve("catalog.yaml");
        write(file, V1);
        try (ActiveCatalog catalog = new ActiveCatalog(new CatalogLoader(), file, CLOCK, new dev.portcullis.runtime.testing.RecordingAuditRecorder())) {
            write(file, V1);

            assertEquals(ActiveCatalog.Reload.UNCHANGED, catalog.reloadIfChanged());
        }
    }

    @Test
    void theWatcherPicksUpANewVersionByItself() throws Exception {
        Path file = dir.resolve("catalog.yaml");
        write(file, V1);
        try (ActiveCatalog catalog = new ActiveCatalog(new CatalogLoader(), file, CLOCK, new dev.portcullis.runtime.testing.RecordingAuditRecorder())) {
            catalog.watch(java.time.Duration.ofMillis(20));
            write(file, V3);

            String v3 = CatalogLoader.digest(V3.getBytes(StandardCharsets.UTF_8)).value();
            await("the watcher loading v3").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(10))
                    .untilAsserted(() -> assertEquals(v3, catalog.current().catalog().version().value()));
        }
    }

    private static void awaitDecisions(AtomicLong decisions, long atLeast) {
        await("evaluators making progress").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(1))
                .untilAsserted(() -> assertTrue(decisions.get() >= atLeast, "evaluators made no progress"));
    }
}
