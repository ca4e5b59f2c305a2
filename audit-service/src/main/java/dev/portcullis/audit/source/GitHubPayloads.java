package dev.portcullis.audit.source;

import dev.portcullis.runtime.audit.AuditAction;
import dev.portcullis.runtime.audit.AuditOutcome;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * GitHub webhook deliveries as audit events, by {@code X-GitHub-Event}: {@code push},
 * {@code branch_protection_rule}, {@code branch_protection_configuration},
 * {@code repository_ruleset}, {@code member}, {@code membership}, {@code organization},
 * {@code team_add}, {@code deploy_key} and {@code workflow_run}; anything else (e.g.
 * {@code ping}) becomes one {@code source.event}. Field names follow GitHub's webhook reference.
 */
final class GitHubPayloads {
    private static final String PROVIDER = "github";
    static final int MAX_COMMITS = 20;

    /** Protection settings where {@code true} is the stricter value. */
    private static final Set<String> STRICT_WHEN_TRUE = Set.of("admin_enforced", "dismiss_stale_reviews_on_push",
            "require_code_owner_review", "require_last_push_approval", "strict_required_status_checks_policy",
            "authorized_actors_only", "authorized_dismissal_actors_only", "ignore_approvals_from_contributors",
            "lock_allows_fork_sync");
    /** Enforcement levels ({@code off < non_admins < everyone}) where a higher level is stricter. */
    private static final Set<String> STRICT_WHEN_HIGHER = Set.of("pull_request_reviews_enforcement_level",
            "required_status_checks_enforcement_level", "signature_requirement_enforcement_level",
            "linear_history_requirement_enforcement_level", "required_deployments_enforcement_level",
            "required_conversation_resolution_level", "lock_branch_enforcement_level", "merge_queue_enforcement_level");
    /** Enforcement levels of permissions: a higher level allows more, so it is weaker. */
    private static final Set<String> WEAKER_WHEN_HIGHER = Set.of("allow_force_pushes_enforcement_level",
            "allow_deletions_enforcement_level");
    /** Lists whose every entry is a requirement: losing one is weaker. */
    private static final Set<String> REQUIREMENT_LISTS = Set.of("required_status_checks", "required_deployments");
    /** Lists whose every entry is an exemption: gaining one is weaker. */
    private static final Set<String> EXEMPTION_LISTS = Set.of("authorized_actor_names", "bypass_pull_request_actor_names",
            "bypass_actors");
    private static final Map<String, Integer> LEVELS = Map.of("off", 0, "non_admins", 1, "everyone", 2);

    private GitHubPayloads() {}

    static void map(String event, JsonPayload body, SourceEvents out) {
        switch (event) {
            case "push" -> push(body, out);
            case "branch_protection_rule" -> protectionRule(body, out);
            case "branch_protection_configuration" -> protectionConfiguration(body, out);
            case "repository_ruleset" -> ruleset(body, out);
            case "member" -> member(body, out);
            case "membership" -> membership(body, out);
            case "organization" -> organization(body, out);
            case "team_add" -> teamAdd(body, out);
            case "deploy_key" -> deployKey(body, out);
            case "workflow_run" -> workflowRun(body, out);
            default -> common(out.add(AuditAction.SOURCE_EVENT), body).attribute("action", body.text("action")).add();
        }
    }

    /** Sender and repository, which almost every GitHub delivery carries. */
    private static SourceEvents.Draft common(SourceEvents.Draft draft, JsonPayload body) {
        draft.actor(PROVIDER, body.text("sender", "login"));
        if (body.at("repository").isObject()) {
            draft.repository(body.text("repository", "full_name"), body.text("repository", "clone_url"),
                    body.text("repository", "html_url"));
            draft.attribute("default_branch", body.text("repository", "default_branch"));
        }
        if (body.at("organization").isObject()) {
            draft.attribute("organization", body.text("organization", "login"));
        }
        return draft;
    }

    private static void push(JsonPayload body, SourceEvents out) {
        String ref = body.text("ref");
        String after = body.text("after");
        if (ref.isEmpty() || after.isEmpty()) {
            throw new MalformedPayloadException("a push needs ref and after");
        }
        List<String> commits = new ArrayList<>();
        for (JsonPayload commit : body.elements("commits")) {
            if (commits.size() < MAX_COMMITS && !commit.text("id").isEmpty()) {
                commits.add(commit.text("id"));
            }
        }
        SourceEvents.Draft draft = common(out.add(AuditAction.SCM_PUSH), body)
                .resource("ref", ref)
                .attribute("ref", ref)
                .attribute("before", body.text("before"))
                .attribute("after", after)
                .attribute("forced", Boolean.toString(body.bool("forced").orElse(false)))
                .attribute("created", Boolean.toString(body.bool("created").orElse(false)))
                .attribute("deleted", Boolean.toString(body.bool("deleted").orElse(false)))
                .attribute("pusher", body.text("pusher", "name"))
                .attribute("commits", String.join(",", commits))
                .attribute("commit_count", Integer.toString(body.elements("commits").size()));
        if (body.text("sender", "login").isEmpty()) {
            draft.actor(PROVIDER, body.text("pusher", "name"));
        }
        draft.add();
    }

    private static void protectionRule(JsonPayload body, SourceEvents out) {
        String change = body.text("action");
        List<String> weakenedBy = switch (change) {
            case "deleted" -> List.of("rule_deleted");
            case "edited" -> weakenedSettings(body.at("changes"), body.at("rule"));
            default -> List.of();
        };
        protection(common(out.add(AuditAction.SCM_PROTECTION_CHANGED), body), change, body.text("rule", "name"), weakenedBy)
                .add();
    }

    private static void protectionConfiguration(JsonPayload body, SourceEvents out) {
        String change = body.text("action");
        protection(common(out.add(AuditAction.SCM_PROTECTION_CHANGED), body), change, "branch_protection",
                change.equals("disabled") ? List.of("protection_disabled") : List.of()).add();
    }

    private static void ruleset(JsonPayload body, SourceEvents out) {
        String change = body.text("action");
        List<String> weakenedBy = new ArrayList<>();
        if (change.equals("deleted")) {
            weakenedBy.add("ruleset_deleted");
        } else if (change.equals("edited")) {
            JsonPayload changes = body.at("changes");
            String enforcementFrom = changes.text("enforcement", "from");
            if (enforcementFrom.equals("active") && !body.text("repository_ruleset", "enforcement").equals("active")) {
                weakenedBy.add("enforcement");
            }
            if (!changes.elements("rules", "deleted").isEmpty()) {
                weakenedBy.add("rules_deleted");
            }
            // a changed rule or condition may loosen it; we cannot tell, so it counts (fail closed)
            if (!changes.elements("rules", "updated").isEmpty()) {
                weakenedBy.add("rules_updated");
            }
            if (changes.has("conditions")) {
                weakenedBy.add("conditions");
            }
            if (changes.has("bypass_actors")) {
                weakenedBy.add("bypass_actors");
            }
        }
        protection(common(out.add(AuditAction.SCM_PROTECTION_CHANGED), body), change,
                body.text("repository_ruleset", "name"), weakenedBy).add();
    }

    private static SourceEvents.Draft protection(SourceEvents.Draft draft, String change, String rule,
            List<String> weakenedBy) {
        return draft.resource("protection", rule)
                .attribute("change", change)
                .attribute("rule", rule)
                .attribute("weakened", Boolean.toString(!weakenedBy.isEmpty()))
                .attribute("weakened_by", String.join(",", weakenedBy));
    }

    /**
     * The settings an edit made weaker. {@code changes} holds each edited setting's previous value
     * under {@code from}; {@code rule} holds the new ones. A setting we do not know counts as
     * weakened: a change we cannot judge is not assumed harmless.
     */
    static List<String> weakenedSettings(JsonPayload changes, JsonPayload rule) {
        List<String> weakened = new ArrayList<>();
        for (String setting : changes.fieldNames()) {
            JsonPayload from = changes.at(setting, "from");
            JsonPayload to = rule.at(setting);
            boolean weaker;
            if (STRICT_WHEN_TRUE.contains(setting)) {
                weaker = Boolean.TRUE.equals(from.bool().orElse(null)) && !Boolean.TRUE.equals(to.bool().orElse(null));
            } else if (STRICT_WHEN_HIGHER.contains(setting)) {
                weaker = level(to) < level(from);
            } else if (WEAKER_WHEN_HIGHER.contains(setting)) {
                weaker = level(to) > level(from);
            } else if (setting.equals("required_approving_review_count")) {
                weaker = to.number().orElse(0.0) < from.number().orElse(0.0);
            } else if (REQUIREMENT_LISTS.contains(setting)) {
                weaker = !values(to).containsAll(values(from));
            } else if (EXEMPTION_LISTS.contains(setting)) {
                weaker = !values(from).containsAll(values(to));
            } else {
                // e.g. a renamed pattern may stop covering the branches it protected
                weaker = true;
            }
            if (weaker) {
                weakened.add(setting);
            }
        }
        return weakened;
    }

    private static int level(JsonPayload value) {
        return LEVELS.getOrDefault(value.text(), 0);
    }

    private static Set<String> values(JsonPayload list) {
        Set<String> values = new HashSet<>();
        list.elements().forEach(element -> values.add(element.canonical()));
        return values;
    }

    private static void member(JsonPayload body, SourceEvents out) {
        common(out.add(AuditAction.SCM_PERMISSION_CHANGED), body)
                .attribute("change", body.text("action"))
                .attribute("member", body.text("member", "login"))
                .attribute("permission", body.text("changes", "permission", "to"))
                .attribute("previous_permission", body.text("changes", "permission", "from"))
                .add();
    }

    private static void membership(JsonPayload body, SourceEvents out) {
        common(out.add(AuditAction.SCM_PERMISSION_CHANGED), body)
                .resource("team", body.text("team", "slug"))
                .attribute("change", body.text("action"))
                .attribute("member", body.text("member", "login"))
                .attribute("team", body.text("team", "slug"))
                .add();
    }

    private static void organization(JsonPayload body, SourceEvents out) {
        String change = body.text("action");
        if (!change.startsWith("member_")) {
            common(out.add(AuditAction.SOURCE_EVENT), body).attribute("action", change).add();
            return;
        }
        common(out.add(AuditAction.SCM_PERMISSION_CHANGED), body)
                .resource("organization", body.text("organization", "login"))
                .attribute("change", change)
                .attribute("member", body.text("membership", "user", "login"))
                .attribute("permission", body.text("membership", "role"))
                .add();
    }

    private static void teamAdd(JsonPayload body, SourceEvents out) {
        common(out.add(AuditAction.SCM_PERMISSION_CHANGED), body)
                .attribute("change", "team_added")
                .attribute("team", body.text("team", "slug"))
                .attribute("permission", body.text("team", "permission"))
                .add();
    }

    private static void deployKey(JsonPayload body, SourceEvents out) {
        String change = body.text("action");
        AuditAction action = switch (change) {
            case "created" -> AuditAction.SCM_DEPLOY_KEY_ADDED;
            case "deleted" -> AuditAction.SCM_DEPLOY_KEY_REMOVED;
            default -> AuditAction.SOURCE_EVENT;
        };
        common(out.add(action), body)
                .attribute("change", change)
                .attribute("key_id", body.text("key", "id"))
                .attribute("title", body.text("key", "title"))
                .attribute("read_only", body.text("key", "read_only"))
                .add();
    }

    private static void workflowRun(JsonPayload body, SourceEvents out) {
        JsonPayload run = body.at("workflow_run");
        String conclusion = run.text("conclusion");
        common(out.add(AuditAction.CI_WORKFLOW_RUN), body)
                .outcome(conclusion.equals("failure") || conclusion.equals("timed_out") ? AuditOutcome.FAILURE
                        : AuditOutcome.SUCCESS)
                .attribute("status", run.text("status"))
                .attribute("conclusion", conclusion)
                .attribute("workflow", body.text("workflow", "name").isEmpty() ? run.text("name") : body.text("workflow", "name"))
                .attribute("workflow_path", run.text("path"))
                .attribute("head_sha", run.text("head_sha"))
                .attribute("head_branch", run.text("head_branch"))
                .attribute("ci_run_id", run.text("id"))
                .attribute("trigger", run.text("event"))
                .attribute("triggering_actor", run.text("triggering_actor", "login"))
                .add();
    }
}
