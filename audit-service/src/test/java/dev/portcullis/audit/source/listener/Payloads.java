package dev.portcullis.audit.source.listener;

/**
 * Deliveries in the shapes GitHub and GitLab send (trimmed to the fields that matter, the rest
 * of a real payload's structure kept), and the generic format. Written here, never captured from
 * a live system.
 */
final class Payloads {
    private Payloads() {}

    static final String ZERO = "0000000000000000000000000000000000000000";

    static String githubRepository(String owner, String name) {
        return """
                {"id": 1296269, "node_id": "MDEwOlJlcG9zaXRvcnkxMjk2MjY5", "name": "%2$s", "full_name": "%1$s/%2$s",
                 "private": true, "owner": {"login": "%1$s", "id": 1, "type": "Organization"},
                 "html_url": "https://github.com/%1$s/%2$s", "clone_url": "https://github.com/%1$s/%2$s.git",
                 "ssh_url": "git@github.com:%1$s/%2$s.git", "default_branch": "main", "master_branch": "main",
                 "pushed_at": 1700000000, "visibility": "private"}""".formatted(owner, name);
    }

    /** A GitHub {@code push} delivery. */
    static String githubPush(String repo, String ref, String before, String after, boolean forced, String pusher) {
        String[] parts = repo.split("/");
        return """
                {"ref": "%1$s", "before": "%2$s", "after": "%3$s", "created": false, "deleted": false, "forced": %4$s,
                 "base_ref": null, "compare": "https://github.com/%5$s/compare/%2$.12s...%3$.12s",
                 "commits": [{"id": "%3$s", "tree_id": "%2$s", "distinct": true, "message": "Change the network",
                   "timestamp": "2026-11-24T09:00:00+01:00", "url": "https://github.com/%5$s/commit/%3$s",
                   "author": {"name": "%6$s", "email": "%6$s@example.com", "username": "%6$s"},
                   "committer": {"name": "%6$s", "email": "%6$s@example.com", "username": "%6$s"},
                   "added": [], "removed": [], "modified": ["prod/net/main.tf"]}],
                 "head_commit": {"id": "%3$s", "message": "Change the network"},
                 "repository": %7$s,
                 "pusher": {"name": "%6$s", "email": "%6$s@example.com"},
                 "organization": {"login": "%8$s", "id": 1},
                 "sender": {"login": "%6$s", "id": 42, "type": "User", "site_admin": false}}
                """.formatted(ref, before, after, forced, repo, pusher, githubRepository(parts[0], parts[1]), parts[0]);
    }

    /** A GitHub {@code branch_protection_rule} delivery, action edited, with {@code changes} and the new {@code rule}. */
    static String githubProtectionEdited(String repo, String changes, String rule, String sender) {
        String[] parts = repo.split("/");
        return """
                {"action": "edited", "rule": %s, "changes": %s, "repository": %s,
                 "organization": {"login": "%s"}, "sender": {"login": "%s", "id": 7, "type": "User"}}
                """.formatted(rule, changes, githubRepository(parts[0], parts[1]), parts[0], sender);
    }

    static String githubProtectionRule(String pattern, int reviews, boolean adminEnforced, String forcePushes) {
        return """
                {"id": 21796960, "repository_id": 1296269, "name": "%s", "created_at": "2026-01-01T00:00:00Z",
                 "updated_at": "2026-11-24T09:00:00Z", "pull_request_reviews_enforcement_level": "everyone",
                 "required_approving_review_count": %d, "dismiss_stale_reviews_on_push": true,
                 "require_code_owner_review": true, "authorized_dismissal_actors_only": false,
                 "ignore_approvals_from_contributors": false, "required_status_checks": ["plan"],
                 "required_status_checks_enforcement_level": "everyone", "strict_required_status_checks_policy": true,
                 "signature_requirement_enforcement_level": "off", "linear_history_requirement_enforcement_level": "off",
                 "admin_enforced": %s, "allow_force_pushes_enforcement_level": "%s",
                 "allow_deletions_enforcement_level": "off", "merge_queue_enforcement_level": "off",
                 "required_deployments_enforcement_level": "off", "required_conversation_resolution_level": "off",
                 "authorized_actors_only": false, "authorized_actor_names": []}
                """.formatted(pattern, reviews, adminEnforced, forcePushes);
    }

    /** A GitHub {@code deploy_key} delivery, action created. */
    static String githubDeployKeyCreated(String repo, String title, boolean readOnly, String sender) {
        String[] parts = repo.split("/");
        return """
                {"action": "created", "key": {"id": 123, "key": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB", "url":
                 "https://api.github.com/repos/%1$s/keys/123", "title": "%2$s", "verified": true,
                 "created_at": "2026-11-24T09:00:00Z", "read_only": %3$s},
                 "repository": %4$s, "sender": {"login": "%5$s", "id": 9, "type": "User"}}
                """.formatted(repo, title, readOnly, githubRepository(parts[0], parts[1]), sender);
    }

    /** A GitLab {@code Push Hook} delivery. */
    static String gitlabPush(String project, String ref, String before, String after, String user) {
        return """
                {"object_kind": "push", "event_name": "push", "before": "%2$s", "after": "%3$s", "ref": "%1$s",
                 "ref_protected": true, "checkout_sha": "%3$s", "user_id": 4, "user_name": "%4$s",
                 "user_username": "%4$s", "user_email": "", "project_id": 15,
                 "project": {"id": 15, "name": "infra", "web_url": "https://gitlab.example.com/%5$s",
                   "git_ssh_url": "git@gitlab.example.com:%5$s.git", "git_http_url": "https://gitlab.example.com/%5$s.git",
                   "namespace": "platform", "path_with_namespace": "%5$s", "default_branch": "main"},
                 "commits": [{"id": "%3$s", "message": "Tighten the firewall", "title": "Tighten the firewall",
                   "timestamp": "2026-11-24T09:00:00+01:00", "url": "https://gitlab.example.com/%5$s/-/commit/%3$s",
                   "author": {"name": "%4$s", "email": "%4$s@example.com"}, "added": [], "modified": ["main.tf"],
                   "removed": []}],
                 "total_commits_count": 1, "repository": {"name": "infra", "url": "git@gitlab.example.com:%5$s.git"}}
                """.formatted(ref, before, after, user, project);
    }

    /** A GitLab {@code System Hook} delivery of a failed sign-in. */
    static String gitlabFailedLogin(String username) {
        return """
                {"event_name": "user_failed_login", "created_at": "2026-11-24T09:00:00Z",
                 "updated_at": "2026-11-24T09:00:00Z", "name": "%1$s", "email": "%1$s@example.com", "user_id": 26,
                 "username": "%1$s", "state": "blocked"}
                """.formatted(username);
    }

    /** The generic format with one event. */
    static String generic(String deliveryId, String sentAt, String action, String actor, String attributes) {
        return """
                {"delivery_id": "%s", "sent_at": "%s",
                 "events": [{"action": "%s", "actor": "%s", "outcome": "failure", "attributes": %s}]}
                """.formatted(deliveryId, sentAt, action, actor, attributes);
    }
}
