package dev.portcullis.audit.source.listener;

import static dev.portcullis.audit.source.listener.Payloads.ZERO;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.runtime.testing.ServiceFixture;
import dev.portcullis.runtime.testing.TestChannels;
import dev.portcullis.runtime.testing.TestIdentity;
import dev.portcullis.v1.AuditAction;
import dev.portcullis.v1.AuditEvent;
import dev.portcullis.v1.AuditServiceGrpc;
import dev.portcullis.v1.ListSourcesRequest;
import dev.portcullis.v1.ListSourcesResponse;
import dev.portcullis.v1.QueryOrder;
import dev.portcullis.v1.QueryRequest;
import dev.portcullis.v1.Source;
import dev.portcullis.v1.SourceKind;
import dev.portcullis.v1.VerifyRequest;
import dev.portcullis.v1.VerifyResponse;
import io.grpc.ManagedChannel;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * Outside sources deliver real-format payloads over HTTPS on loopback to the running audit
 * service: valid ones are stored and chained; bad signatures, replays, oversized and malformed
 * bodies are refused with the right status, audited, and nothing of them is stored.
 */
class WebhookIngestTest {
    static final String GITHUB_SECRET = "gh-webhook-secret-0123456789";
    static final String GITLAB_TOKEN = "gl-webhook-token-0123456789";
    static final String JENKINS_SECRET = "jenkins-hmac-secret-0123456789";
    static final String SHA_A = "1111111111111111111111111111111111111111";
    static final String SHA_B = "2222222222222222222222222222222222222222";

    @TempDir
    Path dir;

    private ServiceFixture fixture;
    private SourceClient sources;
    private final List<ManagedChannel> channels = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        Files.writeString(dir.resolve("github.secret"), GITHUB_SECRET + "\n");
        Files.writeString(dir.resolve("gitlab.secret"), GITLAB_TOKEN);
        Files.writeString(dir.resolve("jenkins.secret"), JENKINS_SECRET);
        startService();
    }

    private void startService() {
        Map<String, Object> properties = new HashMap<>();
        properties.put("portcullis.audit.data-dir", dir.resolve("audit").toString());
        properties.put("portcullis.audit.sources.port", 0);
        properties.put("portcullis.audit.sources.max-body-bytes", "64KB");
        properties.put("portcullis.audit.sources.feeds.github-acme.kind", "github");
        properties.put("portcullis.audit.sources.feeds.github-acme.secret-file", dir.resolve("github.secret").toString());
        properties.put("portcullis.audit.sources.feeds.gitlab-platform.kind", "gitlab");
        properties.put("portcullis.audit.sources.feeds.gitlab-platform.secret-file", dir.resolve("gitlab.secret").toString());
        properties.put("portcullis.audit.sources.feeds.jenkins.kind", "generic");
        properties.put("portcullis.audit.sources.feeds.jenkins.secret-file", dir.resolve("jenkins.secret").toString());
        properties.put("portcullis.audit.sources.feeds.jenkins.max-silence", "6h");
        fixture = ServiceFixture.start("audit", dir, properties);
        sources = new SourceClient(fixture.pki().caFile(),
                fixture.service().context().getBean(HttpsSourceListener.class).port());
    }

    @AfterEach
    void stop() {
        channels.forEach(ManagedChannel::shutdownNow);
        fixture.close();
    }

    private AuditServiceGrpc.AuditServiceBlockingStub auditor() {
        ManagedChannel channel = TestChannels.mtls(fixture.port(), fixture.credential(TestIdentity.AUDITOR));
        channels.add(channel);
        return AuditServiceGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS);
    }

    private List<AuditEvent> events(AuditAction action) {
        List<AuditEvent> events = new ArrayList<>();
        auditor().query(QueryRequest.newBuilder().addActions(action).setOrder(QueryOrder.QUERY_ORDER_OLDEST_FIRST).setBatched(true)
                        .build())
                .forEachRemaining(response -> response.getEventsList().forEach(stored -> events.add(stored.getEvent())));
        return events;
    }

    private List<AuditEvent> refusals() {
        return events(AuditAction.AUDIT_ACTION_SOURCE_DELIVERY_REFUSED);
    }

    private static String push(String after) {
        return Payloads.githubPush("acme/infra-live", "refs/heads/main", SHA_A, after, false, "octocat");
    }

    @Test
    void aSignedGitHubPushIsStoredAsScmPushInTheChain() {
        HttpResponse<String> response = sources.github("github-acme", GITHUB_SECRET, "push", "d-1", push(SHA_B));

        assertEquals(202, response.statusCode(), response.body());
        assertEquals("{\"status\":\"accepted\",\"stored\":1}", response.body());
        List<AuditEvent> pushes = events(AuditAction.AUDIT_ACTION_SCM_PUSH);
        assertEquals(1, pushes.size());
        AuditEvent push = pushes.get(0);
        assertEquals("source:github-acme", push.getService());
        assertEquals("github:octocat", push.getActor());
        assertEquals("acme/infra-live", push.getResource().getRepo());
        Map<String, String> attributes = push.getAttributesMap();
        assertEquals("refs/heads/main", attributes.get("ref"));
        assertEquals(SHA_B, attributes.get("after"));
        assertEquals("false", attributes.get("forced"));
        assertEquals("octocat", attributes.get("pusher"));
        assertEquals(SHA_B, attributes.get("commits"));
        assertEquals("github-acme", attributes.get("source"));
        assertEquals("d-1", attributes.get("delivery_id"));
        assertEquals("github.com/acme/infra-live", attributes.get("repo_url"));
        VerifyResponse verified = auditor().verify(VerifyRequest.getDefaultInstance());
        assertTrue(verified.getIntact(), verified.getProblem());
        assertTrue(verified.getChecked() >= 1);
        assertEquals(List.of(), refusals());
    }

    @Test
    void aGitLabPushWithItsTokenIsStored() {
        HttpResponse<String> response = sources.gitlab("gitlab-platform", GITLAB_TOKEN, "Push Hook",
                "6f1c2a3e-0000-4000-8000-000000000001", Payloads.gitlabPush("platform/infra", "refs/heads/main", SHA_A,
                        SHA_B, "jsmith"));

        assertEquals(202, response.statusCode(), response.body());
        AuditEvent push = events(AuditAction.AUDIT_ACTION_SCM_PUSH).get(0);
        assertEquals("source:gitlab-platform", push.getService());
        assertEquals("gitlab:jsmith", push.getActor());
        assertEquals("gitlab.example.com/platform/infra", push.getAttributesMap().get("repo_url"));
        assertFalse(push.getAttributesMap().containsKey("forced"), "GitLab does not say whether a push was forced");
    }

    @Test
    void aSignedGenericEventIsStoredUnderItsDeliveryId() {
        HttpResponse<String> response = sources.generic("jenkins", JENKINS_SECRET, Payloads.generic("jenkins-1",
                Instant.now().toString(), "ci.login_failed", "jenkins:alice", "{\"user\": \"alice\"}"));

        assertEquals(202, response.statusCode(), response.body());
        AuditEvent login = events(AuditAction.AUDIT_ACTION_CI_LOGIN_FAILED).get(0);
        assertEquals("jenkins:alice", login.getActor());
        assertEquals("jenkins-1", login.getAttributesMap().get("delivery_id"));
        assertEquals("alice", login.getAttributesMap().get("user"));
    }

    @Test
    void aBadSignatureIsRefusedWith401AuditedAndNothingIsStored() {
        byte[] signed = push(SHA_B).getBytes(StandardCharsets.UTF_8);
        byte[] tampered = push("3333333333333333333333333333333333333333").getBytes(StandardCharsets.UTF_8);

        HttpResponse<String> response = sources.post("github-acme", Map.of("X-GitHub-Event", "push",
                "X-GitHub-Delivery", "d-2", "X-Hub-Signature-256", SourceClient.hmac(GITHUB_SECRET, signed)), tampered);

        assertEquals(401, response.statusCode());
        assertEquals("{\"status\":\"refused\",\"reason\":\"SIGNATURE_INVALID\"}", response.body());
        assertEquals(List.of(), events(AuditAction.AUDIT_ACTION_SCM_PUSH));
        AuditEvent refusal = refusals().get(0);
        assertEquals("SIGNATURE_INVALID", refusal.getReason());
        assertEquals("github-acme", refusal.getResource().getId());
        assertEquals("d-2", refusal.getAttributesMap().get("x-github-delivery"));
        assertTrue(refusal.getSourceAddress().startsWith("127.0.0.1:"), refusal.getSourceAddress());
    }

    @Test
    void anUnsignedDeliveryIsRefusedWith401() {
        HttpResponse<String> github = sources.post("github-acme", Map.of("X-GitHub-Event", "push", "X-GitHub-Delivery", "d-3"),
                push(SHA_B).getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> gitlab = sources.gitlab("gitlab-platform", "not-the-token-at-all", "Push Hook", "u-1",
                Payloads.gitlabPush("platform/infra", "refs/heads/main", SHA_A, SHA_B, "jsmith"));

        assertEquals(401, github.statusCode());
        assertEquals(401, gitlab.statusCode());
        assertEquals(List.of("SIGNATURE_MISSING", "SIGNATURE_INVALID"), refusals().stream().map(AuditEvent::getReason).toList());
        assertEquals(List.of(), events(AuditAction.AUDIT_ACTION_SCM_PUSH));
    }

    @Test
    void aReplayedDeliveryIsRefusedWith409AlsoAfterARestart() {
        assertEquals(202, sources.github("github-acme", GITHUB_SECRET, "push", "d-4", push(SHA_B)).statusCode());

        HttpResponse<String> replay = sources.github("github-acme", GITHUB_SECRET, "push", "d-4", push(SHA_B));
        fixture.close();
        startService();
        HttpResponse<String> replayAfterRestart = sources.github("github-acme", GITHUB_SECRET, "push", "d-4", push(SHA_B));

        assertEquals(409, replay.statusCode());
        assertEquals(409, replayAfterRestart.statusCode());
        assertEquals(1, events(AuditAction.AUDIT_ACTION_SCM_PUSH).size());
        assertEquals(List.of("REPLAYED", "REPLAYED"), refusals().stream().map(AuditEvent::getReason).toList());
    }

    @Test
    void anOversizedBodyIsRefusedWith413WhetherItsLengthIsDeclaredOrNot() {
        String padding = "x".repeat(70 * 1024);
        byte[] big = ("{\"ref\": \"refs/heads/main\", \"padding\": \"" + padding + "\"}").getBytes(StandardCharsets.UTF_8);
        String signature = SourceClient.hmac(GITHUB_SECRET, big);

        HttpResponse<String> declared = sources.post("github-acme", Map.of("X-GitHub-Event", "push",
                "X-GitHub-Delivery", "d-5", "X-Hub-Signature-256", signature), big);
        HttpResponse<String> chunked = sources.send(HttpRequest.newBuilder(
                        URI.create("https://localhost:" + listenerPort() + "/sources/github-acme"))
                .header("Content-Type", "application/json").header("X-GitHub-Event", "push")
                .header("X-GitHub-Delivery", "d-6").header("X-Hub-Signature-256", signature)
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big))).build());

        assertEquals(413, declared.statusCode());
        assertEquals(413, chunked.statusCode());
        assertEquals(List.of("BODY_TOO_LARGE", "BODY_TOO_LARGE"), refusals().stream().map(AuditEvent::getReason).toList());
        assertEquals(List.of(), events(AuditAction.AUDIT_ACTION_SCM_PUSH));
    }

    @Test
    void aSignedButMalformedBodyIsRefusedWith400() {
        HttpResponse<String> notJson = sources.github("github-acme", GITHUB_SECRET, "push", "d-7", "{\"ref\": ");
        HttpResponse<String> array = sources.github("github-acme", GITHUB_SECRET, "push", "d-8", "[1, 2]");
        HttpResponse<String> pushWithoutRef = sources.github("github-acme", GITHUB_SECRET, "push", "d-9", "{\"after\": \"x\"}");

        assertEquals(400, notJson.statusCode());
        assertEquals(400, array.statusCode());
        assertEquals(400, pushWithoutRef.statusCode());
        assertEquals(List.of("MALFORMED", "MALFORMED", "MALFORMED"), refusals().stream().map(AuditEvent::getReason).toList());
        assertEquals(List.of(), events(AuditAction.AUDIT_ACTION_SCM_PUSH));
    }

    @Test
    void aDeliveryToAnUnknownSourceIsRefusedWith404AndAudited() {
        HttpResponse<String> response = sources.github("github-evil", GITHUB_SECRET, "push", "d-10", push(SHA_B));

        assertEquals(404, response.statusCode());
        AuditEvent refusal = refusals().get(0);
        assertEquals("UNKNOWN_SOURCE", refusal.getReason());
        assertEquals("github-evil", refusal.getResource().getId());
    }

    @Test
    void aGenericDeliveryOutsideTheReplayWindowIsRefusedWith409() {
        HttpResponse<String> response = sources.generic("jenkins", JENKINS_SECRET, Payloads.generic("jenkins-2",
                Instant.now().minusSeconds(3600).toString(), "ci.login_failed", "jenkins:alice", "{}"));

        assertEquals(409, response.statusCode());
        assertEquals("TOO_OLD", refusals().get(0).getReason());
        assertEquals(List.of(), events(AuditAction.AUDIT_ACTION_CI_LOGIN_FAILED));
    }

    @Test
    void aGenericSourceCannotReportTheSuitesOwnActions() {
        HttpResponse<String> response = sources.generic("jenkins", JENKINS_SECRET, Payloads.generic("jenkins-3",
                Instant.now().toString(), "run.approved", "jenkins:alice", "{}"));

        assertEquals(400, response.statusCode());
        assertEquals(List.of(), events(AuditAction.AUDIT_ACTION_RUN_APPROVED));
    }

    @Test
    void anythingButPostedJsonIsRefused() {
        HttpResponse<String> get = sources.send(HttpRequest.newBuilder(
                URI.create("https://localhost:" + listenerPort() + "/sources/github-acme")).GET().build());
        byte[] form = "payload=%7B%7D".getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> formEncoded = sources.send(HttpRequest.newBuilder(
                        URI.create("https://localhost:" + listenerPort() + "/sources/github-acme"))
                .header("Content-Type", "application/x-www-form-urlencoded").header("X-GitHub-Event", "push")
                .header("X-GitHub-Delivery", "d-11").header("X-Hub-Signature-256", SourceClient.hmac(GITHUB_SECRET, form))
                .POST(HttpRequest.BodyPublishers.ofByteArray(form)).build());

        assertEquals(405, get.statusCode());
        assertEquals(415, formEncoded.statusCode());
        assertEquals(List.of("METHOD_NOT_ALLOWED", "UNSUPPORTED_MEDIA_TYPE"),
                refusals().stream().map(AuditEvent::getReason).toList());
    }

    @Test
    void listSourcesReportsEachSourcesDeliveriesAndRefusals() {
        sources.github("github-acme", GITHUB_SECRET, "push", "d-12", push(SHA_B));
        sources.github("github-acme", "a-wrong-secret-0123456789", "push", "d-13", push(SHA_B));

        ListSourcesResponse listed = auditor().listSources(ListSourcesRequest.getDefaultInstance());

        assertTrue(listed.getListenerEnabled());
        assertEquals(List.of("github-acme", "gitlab-platform", "jenkins"),
                listed.getSourcesList().stream().map(Source::getName).sorted().toList());
        Source github = listed.getSourcesList().stream().filter(s -> s.getName().equals("github-acme")).findFirst().orElseThrow();
        assertEquals(SourceKind.SOURCE_KIND_GITHUB, github.getKind());
        assertEquals(1, github.getDeliveries());
        assertEquals(1, github.getRefusals());
        assertEquals("SIGNATURE_INVALID", github.getLastRefusalReason());
        assertTrue(github.hasLastDeliveryTime());
        assertFalse(github.hasMaxSilence());
        Source jenkins = listed.getSourcesList().stream().filter(s -> s.getName().equals("jenkins")).findFirst().orElseThrow();
        assertEquals(0, jenkins.getDeliveries());
        assertFalse(jenkins.hasLastDeliveryTime());
        assertEquals(6 * 3600, jenkins.getMaxSilence().getSeconds());
        assertFalse(jenkins.getSilent());
    }

    @Test
    void gitlabDeliveriesWithoutAnIdAreRefusedBecauseAReplayCouldNotBeToldApart() {
        byte[] body = Payloads.gitlabPush("platform/infra", "refs/heads/main", ZERO, SHA_B, "jsmith")
                .getBytes(StandardCharsets.UTF_8);

        HttpResponse<String> response = sources.post("gitlab-platform", Map.of("X-Gitlab-Event", "Push Hook",
                "X-Gitlab-Token", GITLAB_TOKEN), body);

        assertEquals(400, response.statusCode());
        assertEquals("DELIVERY_ID_MISSING", refusals().get(0).getReason());
    }

    @Test
    void theSamplePayloadsUnderDeployExamplesAreAcceptedAsTheirDocumentedActions() throws Exception {
        Path samples = Path.of("../deploy/examples/webhooks");
        Map<String, String> github = Map.of("github-push.json", "push",
                "github-branch-protection-edited.json", "branch_protection_rule",
                "github-deploy-key-created.json", "deploy_key", "github-workflow-run-completed.json", "workflow_run");
        Map<String, String> gitlab = Map.of("gitlab-push-hook.json", "Push Hook",
                "gitlab-system-hook-failed-login.json", "System Hook");
        int n = 0;
        for (Map.Entry<String, String> sample : github.entrySet()) {
            assertEquals(202, sources.github("github-acme", GITHUB_SECRET, sample.getValue(), "sample-" + n++,
                    Files.readString(samples.resolve(sample.getKey()))).statusCode(), sample.getKey());
        }
        for (Map.Entry<String, String> sample : gitlab.entrySet()) {
            assertEquals(202, sources.gitlab("gitlab-platform", GITLAB_TOKEN, sample.getValue(), "sample-" + n++,
                    Files.readString(samples.resolve(sample.getKey()))).statusCode(), sample.getKey());
        }
        for (String sample : List.of("generic-ci-login-failed.json", "generic-artifact-published.json")) {
            String body = Files.readString(samples.resolve(sample)).replace("2026-11-24T09:00:00Z", Instant.now().toString());
            assertEquals(202, sources.generic("jenkins", JENKINS_SECRET, body).statusCode(), sample);
        }

        AuditEvent protection = events(AuditAction.AUDIT_ACTION_SCM_PROTECTION_CHANGED).get(0);
        assertEquals("true", protection.getAttributesMap().get("weakened"));
        assertEquals("required_approving_review_count,admin_enforced,allow_force_pushes_enforcement_level",
                protection.getAttributesMap().get("weakened_by"));
        assertEquals("true", events(AuditAction.AUDIT_ACTION_SCM_PUSH).stream()
                .filter(e -> e.getService().equals("source:github-acme")).findFirst().orElseThrow()
                .getAttributesMap().get("forced"));
        assertEquals(1, events(AuditAction.AUDIT_ACTION_SCM_DEPLOY_KEY_ADDED).size());
        assertEquals(1, events(AuditAction.AUDIT_ACTION_CI_WORKFLOW_RUN).size());
        assertEquals(2, events(AuditAction.AUDIT_ACTION_CI_LOGIN_FAILED).size());
        assertEquals(1, events(AuditAction.AUDIT_ACTION_ARTIFACT_PUBLISHED).size());
        assertEquals(List.of(), refusals());
    }

    private int listenerPort() {
        return fixture.service().context().getBean(HttpsSourceListener.class).port();
    }
}
