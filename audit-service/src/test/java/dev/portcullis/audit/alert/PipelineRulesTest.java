package dev.portcullis.audit.alert;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.portcullis.audit.catalog.CatalogRepos;
import dev.portcullis.audit.catalog.CatalogView;
import dev.portcullis.audit.catalog.RepoUrl;
import dev.portcullis.catalog.RefPattern;
import dev.portcullis.runtime.audit.AuditAction;
import dev.portcullis.runtime.audit.AuditEvent;
import dev.portcullis.runtime.audit.AuditResource;
import dev.portcullis.runtime.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The pipeline rules on events as the source mappers and the gateway write them. */
class PipelineRulesTest {
    static final String INFRA_URL = "github.com/acme/infra-live";
    static final String SHA = "5555555555555555555555555555555555555555";

    private final MutableClock clock = MutableClock.at(Instant.parse("2026-11-24T09:00:00Z"));
    private final CatalogView catalog = CatalogView.fixed(CatalogRepos.of(
            Map.of("infra-live", new CatalogRepos.Repo("infra-live", new RepoUrl(INFRA_URL),
                    List.of(new RefPattern("refs/heads/main")))),
            Optional.of(new RepoUrl("github.com/acme/catalog")), List.of()));
    private final PipelineRules rules = new PipelineRules(PipelineRulesConfig.defaults(), catalog, clock);

    private AuditEvent event(AuditAction action, String actor, String repoUrl, Map<String, String> attributes) {
        Map<String, String> all = new HashMap<>(attributes);
        all.put("source", "github-acme");
        if (!repoUrl.isEmpty()) {
            all.put("repo_url", repoUrl);
        }
        return AuditEvent.builder("source:github-acme", action, clock.instant()).actor(actor)
                .resource(new AuditResource("repository", "acme/x", "infra-live", "")).attributes(all).build();
    }

    private List<String> raised(AuditEvent event) {
        return rules.onEvent(event).stream().map(Alert::rule).toList();
    }

    @Test
    void aForcePushAlertsOnlyOnAProtectedRefOfACatalogRepo() {
        Map<String, String> forcedMain = Map.of("ref", "refs/heads/main", "forced", "true", "after", SHA);

        assertEquals(List.of("protected_ref_force_push"), raised(event(AuditAction.SCM_PUSH, "github:a", INFRA_URL, forcedMain)));
        assertEquals(List.of(), raised(event(AuditAction.SCM_PUSH, "github:a", "github.com/acme/website", forcedMain)));
        assertEquals(List.of(), raised(event(AuditAction.SCM_PUSH, "github:a", INFRA_URL,
                Map.of("ref", "refs/heads/topic", "forced", "true", "after", SHA))));
        assertEquals(List.of(), raised(event(AuditAction.SCM_PUSH, "github:a", INFRA_URL,
                Map.of("ref", "refs/heads/main", "forced", "false", "after", SHA))));
    }

    @Test
    void weakenedProtectionAlertsOnlyForCatalogRepos() {
        assertEquals(List.of("protection_weakened"), raised(event(AuditAction.SCM_PROTECTION_CHANGED, "github:m", INFRA_URL,
                Map.of("weakened", "true", "weakened_by", "admin_enforced"))));
        assertEquals(List.of(), raised(event(AuditAction.SCM_PROTECTION_CHANGED, "github:m", INFRA_URL,
                Map.of("weakened", "false"))));
        assertEquals(List.of(), raised(event(AuditAction.SCM_PROTECTION_CHANGED, "github:m", "github.com/acme/website",
                Map.of("weakened", "true"))));
    }

    @Test
    void failedCiSignInsAlertAtTheThresholdWithinTheWindowOnly() {
        List<String> spread = new java.util.ArrayList<>();
        for (int i = 0; i < 5; i++) {
            spread.addAll(raised(event(AuditAction.CI_LOGIN_FAILED, "jenkins:bob", "", Map.of("user", "bob"))));
            clock.advance(Duration.ofMinutes(3)); // five failures over 15 minutes: never five within 10
        }
        List<String> burst = new java.util.ArrayList<>();
        for (int i = 0; i < 5; i++) {
            burst.addAll(raised(event(AuditAction.CI_LOGIN_FAILED, "jenkins:eve", "", Map.of("user", "eve"))));
        }

        assertEquals(List.of(), spread);
        assertEquals(List.of("ci_login_failure_burst"), burst);
    }

    @Test
    void theUnfamiliarPusherRuleKnowsPushersSeededFromTheStore() {
        AuditEvent earlierPush = event(AuditAction.SCM_PUSH, "github:mallory", INFRA_URL,
                Map.of("ref", "refs/heads/topic", "after", "6666666666666666666666666666666666666666"));
        rules.seedPushes(List.of(earlierPush));
        raised(event(AuditAction.SCM_PUSH, "github:mallory", INFRA_URL, Map.of("ref", "refs/heads/main", "after", SHA)));

        List<String> apply = raised(AuditEvent.builder("gateway", AuditAction.RUN_SUBMITTED, clock.instant())
                .attributes(Map.of("command", "apply", "repo", "infra-live", "commit_sha", SHA)).build());

        assertEquals(List.of(), apply, "mallory had pushed to the repo before (seeded from the store)");
    }

    @Test
    void aDisabledRuleRaisesNothing() {
        PipelineRules off = new PipelineRules(new PipelineRulesConfig(false, false, false, false, 1, Duration.ofMinutes(1),
                false, false, false), catalog, clock);

        assertEquals(List.of(), off.onEvent(event(AuditAction.SCM_DEPLOY_KEY_ADDED, "github:m", INFRA_URL, Map.of())));
        assertEquals(List.of(), off.onEvent(event(AuditAction.SCM_PUSH, "github:m", "github.com/acme/catalog",
                Map.of("ref", "refs/heads/main", "forced", "true", "after", SHA))));
        assertEquals(List.of(), off.onEvent(event(AuditAction.CI_LOGIN_FAILED, "jenkins:x", "", Map.of("user", "x"))));
    }
}
