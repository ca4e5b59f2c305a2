package dev.portcullis.audit.source.listener;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.audit.alert.WebhookReceiver;
import dev.portcullis.audit.source.SourceMonitor;
import dev.portcullis.runtime.audit.AuditAction;
import dev.portcullis.runtime.audit.AuditEvent;
import dev.portcullis.runtime.audit.AuditEvents;
import dev.portcullis.runtime.audit.AuditResource;
import dev.portcullis.runtime.testing.ServiceFixture;
import dev.portcullis.runtime.testing.TestChannels;
import dev.portcullis.runtime.testing.TestIdentity;
import dev.portcullis.v1.Alert;
import dev.portcullis.v1.AppendRequest;
import dev.portcullis.v1.AuditServiceGrpc;
import dev.portcullis.v1.ListAlertsRequest;
import io.grpc.ManagedChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each pipeline rule is driven over its threshold by real-format deliveries over HTTPS (and, for
 * the correlation, the gateway's own Append), and its alert reaches a webhook receiver on loopback.
 */
class PipelineAlertsTest {
    static final String SECRET = WebhookIngestTest.GITHUB_SECRET;
    static final String TOKEN = WebhookIngestTest.GITLAB_TOKEN;
    static final String SHA_A = WebhookIngestTest.SHA_A;
    static final String SHA_B = WebhookIngestTest.SHA_B;
    static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    private WebhookReceiver receiver;
    private ServiceFixture fixture;
    private SourceClient sources;
    private final List<ManagedChannel> channels = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        Files.writeString(dir.resolve("github.secret"), SECRET);
        Files.writeString(dir.resolve("gitlab.secret"), TOKEN);
        Files.writeString(dir.resolve("catalog.yaml"), """
                version: 1
                environments:
                  prod: { approvals: 1 }
                commands:
                  plan: { argv: ["terraform", "plan"], produces: plan.tfplan }
                  apply: { argv: ["terraform", "apply", "plan.tfplan"], requires_plan: true, changes_infrastructure: true }
                repos:
                  - name: infra-live
                    url: https://github.com/acme/infra-live.git
                    folders: ["prod/**"]
                    callers: ["spiffe://test.example/ci/**"]
                    rules:
                      - { commands: [plan], refs: ["refs/heads/*"], environments: [prod] }
                      - { commands: [apply], refs: ["refs/heads/release/*"], environments: [prod] }
                """);
        receiver = WebhookReceiver.accepting();
        Map<String, Object> properties = new HashMap<>();
        properties.put("portcullis.audit.data-dir", dir.resolve("audit").toString());
        properties.put("portcullis.audit.sources.port", 0);
        properties.put("portcullis.audit.sources.catalog-file", dir.resolve("catalog.yaml").toString());
        properties.put("portcullis.audit.sources.catalog-repository", "git@github.com:acme/portcullis-catalog.git");
        properties.put("portcullis.audit.sources.feeds.github-acme.kind", "github");
        properties.put("portcullis.audit.sources.feeds.github-acme.secret-file", dir.resolve("github.secret").toString());
        properties.put("portcullis.audit.sources.feeds.gitlab-platform.kind", "gitlab");
        properties.put("portcullis.audit.sources.feeds.gitlab-platform.secret-file", dir.resolve("gitlab.secret").toString());
        properties.put("portcullis.audit.sources.feeds.gitlab-platform.max-silence", "1ms");
        properties.put("portcullis.audit.alerts.rules.ci-login-failure-burst-threshold", 3);
        properties.put("portcullis.audit.alerts.delivery.webhook-urls", receiver.url().toString());
        fixture = ServiceFixture.start("audit", dir, properties);
        sources = new SourceClient(fixture.pki().caFile(),
                fixture.service().context().getBean(HttpsSourceListener.class).port());
    }

    @AfterEach
    void stop() {
        channels.forEach(ManagedChannel::shutdownNow);
        fixture.close();
        receiver.close();
    }

    private AuditServiceGrpc.AuditServiceBlockingStub as(TestIdentity identity) {
        ManagedChannel channel = TestChannels.mtls(fixture.port(), fixture.credential(identity));
        channels.add(channel);
        return AuditServiceGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS);
    }

    private List<String> rulesRaised() {
        return as(TestIdentity.AUDITOR).listAlerts(ListAlertsRequest.getDefaultInstance()).getAlertsList().stream()
                .map(Alert::getRule).toList();
    }

    /** Waits for the alert of {@code rule} at the receiver, passing over other rules' alerts (e.g. new_caller). */
    private void assertPosted(String rule) throws InterruptedException {
        List<String> others = new ArrayList<>();
        while (true) {
            String body = receiver.awaitAccepted(WAIT);
            if (body.contains("] " + rule + ": ")) {
                return;
            }
            others.add(body);
            assertTrue(others.size() < 5, "no " + rule + " alert among " + others);
        }
    }

    private void github(String event, String deliveryId, String json) {
        assertEquals(202, sources.github("github-acme", SECRET, event, deliveryId, json).statusCode());
    }

    @Test
    void weakenedProtectionOfACatalogRepoAlerts() throws Exception {
        github("branch_protection_rule", "p-1", Payloads.githubProtectionEdited("acme/infra-live",
                "{\"required_approving_review_count\": {\"from\": 2}, \"admin_enforced\": {\"from\": true}}",
                Payloads.githubProtectionRule("main", 1, false, "off"), "mallory"));

        assertPosted("protection_weakened");
        assertEquals(List.of("protection_weakened"), rulesRaised());
    }

    @Test
    void strengthenedProtectionAndProtectionOfOtherReposRaiseNothing() {
        github("branch_protection_rule", "p-2", Payloads.githubProtectionEdited("acme/infra-live",
                "{\"required_approving_review_count\": {\"from\": 1}}", Payloads.githubProtectionRule("main", 2, true, "off"),
                "alice"));
        github("branch_protection_rule", "p-3", Payloads.githubProtectionEdited("acme/website",
                "{\"admin_enforced\": {\"from\": true}}", Payloads.githubProtectionRule("main", 1, false, "off"), "alice"));

        assertEquals(List.of(), rulesRaised());
    }

    @Test
    void aForcePushToAProtectedRefOfACatalogRepoAlerts() throws Exception {
        github("push", "f-1", Payloads.githubPush("acme/infra-live", "refs/heads/feature", SHA_A, SHA_B, true, "alice"));
        github("push", "f-2", Payloads.githubPush("acme/infra-live", "refs/heads/release/7", SHA_A, SHA_B, true, "mallory"));

        assertPosted("protected_ref_force_push");
        assertEquals(List.of("protected_ref_force_push"), rulesRaised(), "a force-push to an unprotected branch is fine");
    }

    @Test
    void aPushToTheCatalogRepositoryAlerts() throws Exception {
        github("push", "c-1", Payloads.githubPush("acme/portcullis-catalog", "refs/heads/main", SHA_A, SHA_B, false, "alice"));

        assertPosted("catalog_repo_push");
    }

    @Test
    void aBurstOfFailedCiSignInsAlerts() throws Exception {
        for (int i = 0; i < 3; i++) {
            assertEquals(202, sources.gitlab("gitlab-platform", TOKEN, "System Hook", "l-" + i,
                    Payloads.gitlabFailedLogin("root")).statusCode());
            if (i < 2) {
                assertEquals(List.of(), rulesRaised(), "below the threshold");
            }
        }

        assertPosted("ci_login_failure_burst");
    }

    @Test
    void aNewDeployKeyAlerts() throws Exception {
        github("deploy_key", "k-1", Payloads.githubDeployKeyCreated("acme/infra-live", "ci-box", false, "mallory"));

        assertPosted("deploy_key_added");
    }

    @Test
    void anApplyOfACommitPushedByAFirstTimePusherAlerts() throws Exception {
        String familiar = "3333333333333333333333333333333333333333";
        String unfamiliar = "4444444444444444444444444444444444444444";
        github("push", "u-1", Payloads.githubPush("acme/infra-live", "refs/heads/main", SHA_A, SHA_B, false, "alice"));
        github("push", "u-2", Payloads.githubPush("acme/infra-live", "refs/heads/main", SHA_B, familiar, false, "alice"));
        github("push", "u-3", Payloads.githubPush("acme/infra-live", "refs/heads/main", familiar, unfamiliar, false, "mallory"));

        as(TestIdentity.GATEWAY).append(AppendRequest.newBuilder()
                .addEvents(AuditEvents.toProto(runSubmitted("apply", familiar)))
                .addEvents(AuditEvents.toProto(runSubmitted("plan", unfamiliar)))
                .addEvents(AuditEvents.toProto(runSubmitted("apply", unfamiliar))).build());

        assertPosted("unfamiliar_pusher_apply");
        Alert alert = as(TestIdentity.AUDITOR).listAlerts(ListAlertsRequest.newBuilder().setRule("unfamiliar_pusher_apply")
                .build()).getAlerts(0);
        assertEquals("github:mallory", alert.getAttributesMap().get("pusher"));
        assertEquals(unfamiliar, alert.getAttributesMap().get("commit_sha"));
        assertEquals(List.of("unfamiliar_pusher_apply"), rulesRaised().stream().filter(r -> !r.equals("new_caller")).toList());
    }

    private static AuditEvent runSubmitted(String command, String sha) {
        String runId = java.util.UUID.randomUUID().toString();
        return AuditEvent.builder("gateway", AuditAction.RUN_SUBMITTED, Instant.now())
                .actor("spiffe://test.example/ci/github/acme/infra-live")
                .resource(new AuditResource("run", runId, "infra-live", runId))
                .attributes(Map.of("repo", "infra-live", "commit_sha", sha, "command", command, "environment", "prod",
                        "folder", "prod/net"))
                .build();
    }

    @Test
    void aSourceSilentForLongerThanItsMaxSilenceAlertsOnce() throws Exception {
        SourceMonitor monitor = fixture.service().context().getBean(SourceMonitor.class);
        Instant deadline = Instant.now().plus(WAIT);
        // the source may stay silent for 1ms; check until that has passed (the background watch may get there first)
        while (!rulesRaised().contains("source_silent") && Instant.now().isBefore(deadline)) {
            monitor.checkSilence();
        }

        assertPosted("source_silent");
        monitor.checkSilence();
        assertEquals(List.of("source_silent"), rulesRaised(), "one alert per silent stretch");
    }
}
