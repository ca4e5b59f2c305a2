package dev.portcullis.audit.source;

import dev.portcullis.runtime.audit.AuditAction;
import dev.portcullis.runtime.audit.AuditOutcome;
import java.util.ArrayList;
import java.util.List;

/**
 * GitLab webhook deliveries as audit events, by {@code X-Gitlab-Event}: {@code Push Hook} and
 * {@code Tag Push Hook}, {@code Pipeline Hook}, {@code Member Hook}, and {@code System Hook}
 * deliveries of {@code user_failed_login}; anything else becomes one {@code source.event}. GitLab
 * does not say whether a push was forced, so its {@code scm.push} events carry no {@code forced}
 * attribute: protect branches in GitLab so that force pushes are refused there.
 */
final class GitLabPayloads {
    private static final String PROVIDER = "gitlab";

    private GitLabPayloads() {}

    static void map(String event, JsonPayload body, SourceEvents out) {
        switch (event) {
            case "Push Hook", "Tag Push Hook" -> push(body, out);
            case "Pipeline Hook" -> pipeline(body, out);
            case "Member Hook" -> member(body, out);
            case "System Hook" -> system(body, out);
            default -> common(out.add(AuditAction.SOURCE_EVENT), body, body.text("user", "username"))
                    .attribute("object_kind", body.text("object_kind")).add();
        }
    }

    private static SourceEvents.Draft common(SourceEvents.Draft draft, JsonPayload body, String user) {
        draft.actor(PROVIDER, user);
        if (body.at("project").isObject()) {
            draft.repository(body.text("project", "path_with_namespace"), body.text("project", "git_http_url"),
                    body.text("project", "web_url"));
            draft.attribute("default_branch", body.text("project", "default_branch"));
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
            if (commits.size() < GitHubPayloads.MAX_COMMITS && !commit.text("id").isEmpty()) {
                commits.add(commit.text("id"));
            }
        }
        String zero = "0".repeat(40);
        common(out.add(AuditAction.SCM_PUSH), body, body.text("user_username"))
                .resource("ref", ref)
                .attribute("ref", ref)
                .attribute("before", body.text("before"))
                .attribute("after", after)
                .attribute("created", Boolean.toString(body.text("before").equals(zero)))
                .attribute("deleted", Boolean.toString(after.equals(zero)))
                .attribute("pusher", body.text("user_username"))
                .attribute("commits", String.join(",", commits))
                .attribute("commit_count", body.text("total_commits_count"))
                .add();
    }

    private static void pipeline(JsonPayload body, SourceEvents out) {
        JsonPayload pipeline = body.at("object_attributes");
        String status = pipeline.text("status");
        common(out.add(AuditAction.CI_WORKFLOW_RUN), body, body.text("user", "username"))
                .outcome(status.equals("failed") ? AuditOutcome.FAILURE : AuditOutcome.SUCCESS)
                .attribute("status", status)
                .attribute("conclusion", pipeline.text("detailed_status"))
                .attribute("workflow", pipeline.text("name"))
                .attribute("head_sha", pipeline.text("sha"))
                .attribute("head_branch", pipeline.text("ref"))
                .attribute("ci_run_id", pipeline.text("id"))
                .attribute("trigger", pipeline.text("source"))
                .add();
    }

    private static void member(JsonPayload body, SourceEvents out) {
        out.add(AuditAction.SCM_PERMISSION_CHANGED)
                .actor(PROVIDER, body.text("user_username"))
                .resource("group", body.text("group_path"))
                .attribute("change", body.text("event_name"))
                .attribute("member", body.text("user_username"))
                .attribute("group", body.text("group_path"))
                .attribute("permission", body.text("group_access"))
                .add();
    }

    private static void system(JsonPayload body, SourceEvents out) {
        String event = body.text("event_name");
        if (event.equals("user_failed_login")) {
            out.add(AuditAction.CI_LOGIN_FAILED)
                    .actor(PROVIDER, body.text("username"))
                    .outcome(AuditOutcome.FAILURE)
                    .reason("LOGIN_FAILED")
                    .resource("user", body.text("username"))
                    .attribute("user", body.text("username"))
                    .attribute("state", body.text("state"))
                    .add();
            return;
        }
        out.add(AuditAction.SOURCE_EVENT).attribute("event_name", event).add();
    }
}
