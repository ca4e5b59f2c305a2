package dev.portcullis.gateway.store.jdbc;

import dev.portcullis.catalog.SecretGrant;
import dev.portcullis.gateway.run.Decision;
import dev.portcullis.runtime.json.CanonicalJson;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Stores a decision as one JSON object of strings (nested lists are JSON text inside). */
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
        return new Decision(Boolean.parseBoolean(fields.get("allowed")), reasons, fields.get("matched_rule"),
                Integer.parseInt(fields.get("required_approvals")), fields.get("catalog_version"),
                CanonicalJson.parseArray(fields.get("argv")), grants, fields.get("produces_artifact"),
                Boolean.parseBoolean(fields.get("requires_plan")), CanonicalJson.parseArray(fields.get("change_windows")),
                fields.get("repo_url"));
    }
}
