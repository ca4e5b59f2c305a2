package dev.portcullis.gateway.store.jdbc;

import dev.portcullis.catalog.SecretGrant;
import dev.portcullis.gateway.run.CommandStep;
import dev.portcullis.gateway.run.Decision;
import dev.portcullis.gateway.run.PlanTool;
import dev.portcullis.runtime.json.CanonicalJson;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Stores a decision as one JSON object of strings (nested lists are JSON text inside). Decisions
 * stored before commands had steps have no {@code steps}, {@code env}, {@code timeout_ms} or
 * {@code plan_summary_tool}: they read as one step of their argv, no environment, the default
 * timeout and no summary, so a restarted gateway dispatches them as before.
 */
final class DecisionCodec {
    private DecisionCodec() {}

    static String encode(Decision decision) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("allowed", Boolean.toString(decision.allowed()));
        fields.put("reasons", CanonicalJson.array(decision.reasons().stream()
                .map(r -> CanonicalJson.object(Map.of("code", r.code(), "message", r.message(), "field", r.field())))
                .toList()));
        fields.put("matched_rule", decision.matchedRule());
        fields.put("required_approvals", Integer.toString(decision.requiredApprovals()));
        fields.put("catalog_version", decision.catalogVersion());
        fields.put("argv", CanonicalJson.array(decision.argv()));
        fields.put("secret_grants", CanonicalJson.array(decision.secretGrants().stream()
                .map(g -> g.kind().name() + ":" + g.path()).toList()));
        fields.put("produces_artifact", decision.producesArtifact());
        fields.put("requires_plan", Boolean.toString(decision.requiresPlan()));
        fields.put("change_windows", CanonicalJson.array(decision.changeWindows()));
        fields.put("repo_url", decision.repoUrl());
        fields.put("steps", CanonicalJson.array(decision.steps().stream()
                .map(step -> CanonicalJson.object(Map.of("argv", CanonicalJson.array(step.argv()),
                        "detailed_exitcode", Boolean.toString(step.detailedExitCode()))))
                .toList()));
        fields.put("env", CanonicalJson.object(decision.env()));
        fields.put("timeout_ms", Long.toString(decision.commandTimeout().toMillis()));
        fields.put("plan_summary_tool", decision.planSummaryTool().name());
        return CanonicalJson.object(fields);
    }

    static Decision decode(String json) {
        Map<String, String> fields = CanonicalJson.parseObject(json);
        List<Decision.Reason> reasons = CanonicalJson.parseArray(fields.get("reasons")).stream()
                .map(CanonicalJson::parseObject)
                .map(r -> new Decision.Reason(r.get("code"), r.get("message"), r.get("field")))
                .toList();
        List<SecretGrant> grants = CanonicalJson.parseArray(fields.get("secret_grants")).stream()
                .map(text -> {
                    int colon = text.indexOf(':');
                    return new SecretGrant(SecretGrant.Kind.valueOf(text.substring(0, colon)),
                            text.substring(colon + 1));
                })
                .toList();
        List<CommandStep> steps = CanonicalJson.parseArray(fields.getOrDefault("steps", "[]")).stream()
                .map(CanonicalJson::parseObject)
                .map(step -> new CommandStep(CanonicalJson.parseArray(step.get("argv")),
                        Boolean.parseBoolean(step.get("detailed_exitcode"))))
                .toList();
        return new Decision(Boolean.parseBoolean(fields.get("allowed")), reasons, fields.get("matched_rule"),
                Integer.parseInt(fields.get("required_approvals")), fields.get("catalog_version"),
                CanonicalJson.parseArray(fields.get("argv")), grants, fields.get("produces_artifact"),
                Boolean.parseBoolean(fields.get("requires_plan")), CanonicalJson.parseArray(fields.get("change_windows")),
                fields.get("repo_url"), steps, CanonicalJson.parseObject(fields.getOrDefault("env", "{}")),
                Duration.ofMillis(Long.parseLong(fields.getOrDefault("timeout_ms", "0"))),
                PlanTool.valueOf(fields.getOrDefault("plan_summary_tool", PlanTool.NONE.name())));
    }
}
