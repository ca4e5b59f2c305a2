package dev.portcullis.audit.source;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which branch-protection edits count as weakening. */
class GitHubPayloadsTest {
    private static List<String> weakened(String changes, String rule) {
        return GitHubPayloads.weakenedSettings(JsonPayload.parse(changes.getBytes(StandardCharsets.UTF_8)),
                JsonPayload.parse(rule.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void looserSettingsAreWeakerAndStricterOnesAreNot() {
        assertEquals(List.of("required_approving_review_count"),
                weakened("{\"required_approving_review_count\": {\"from\": 2}}", "{\"required_approving_review_count\": 1}"));
        assertEquals(List.of(),
                weakened("{\"required_approving_review_count\": {\"from\": 1}}", "{\"required_approving_review_count\": 2}"));
        assertEquals(List.of("admin_enforced"), weakened("{\"admin_enforced\": {\"from\": true}}", "{\"admin_enforced\": false}"));
        assertEquals(List.of("allow_force_pushes_enforcement_level"), weakened(
                "{\"allow_force_pushes_enforcement_level\": {\"from\": \"off\"}}",
                "{\"allow_force_pushes_enforcement_level\": \"everyone\"}"));
        assertEquals(List.of(), weakened("{\"pull_request_reviews_enforcement_level\": {\"from\": \"non_admins\"}}",
                "{\"pull_request_reviews_enforcement_level\": \"everyone\"}"));
        assertEquals(List.of("required_status_checks"), weakened("{\"required_status_checks\": {\"from\": [\"plan\", \"lint\"]}}",
                "{\"required_status_checks\": [\"plan\"]}"));
        assertEquals(List.of("authorized_actor_names"), weakened("{\"authorized_actor_names\": {\"from\": []}}",
                "{\"authorized_actor_names\": [\"mallory\"]}"));
    }

    @Test
    void aSettingWeCannotJudgeCountsAsWeakened() {
        assertEquals(List.of("some_future_setting"),
                weakened("{\"some_future_setting\": {\"from\": 1}}", "{\"some_future_setting\": 2}"));
    }
}
