package dev.portcullis.cli.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.v1.RunSpec;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RequestKeyTest {
    private static final RunSpec PLAN = RunSpec.newBuilder().setRepo("infra-live").setCommitSha("0".repeat(40))
            .setRef("refs/heads/main").setFolder("prod/net").setEnvironment("prod").setCommand("plan").build();
    private static final Map<String, String> GITHUB = Map.of("GITHUB_RUN_ID", "9876543210", "GITHUB_RUN_ATTEMPT", "2");

    @Test
    void aRetryInTheSameGithubAttemptGetsTheSameKey() {
        String first = RequestKey.derive(GITHUB, PLAN, "");

        String retry = RequestKey.derive(Map.copyOf(GITHUB), PLAN.toBuilder().build(), "");

        assertEquals(first, retry);
        assertTrue(first.startsWith("github-9876543210-2-"), first);
        assertTrue(RequestKey.FORM.matcher(first).matches(), first);
    }

    @Test
    void aNewAttemptOrAnotherRequestInTheSameJobGetsAnotherKey() {
        String first = RequestKey.derive(GITHUB, PLAN, "");

        String rerun = RequestKey.derive(Map.of("GITHUB_RUN_ID", "9876543210", "GITHUB_RUN_ATTEMPT", "3"), PLAN, "");
        String otherFolder = RequestKey.derive(GITHUB, PLAN.toBuilder().setFolder("prod/app").build(), "");
        String apply = RequestKey.derive(GITHUB, PLAN.toBuilder().setCommand("apply").setPlanRunId("p").build(), "");

        assertNotEquals(first, rerun);
        assertNotEquals(first, otherFolder);
        assertNotEquals(first, apply);
    }

    @Test
    void gitlabAndJenkinsJobsNameTheKeyAndOddCharactersAreReplaced() {
        String gitlab = RequestKey.derive(Map.of("CI_JOB_ID", "4242"), PLAN, "");
        String jenkins = RequestKey.derive(Map.of("BUILD_TAG", "jenkins-acme/infra live-17"), PLAN, "");
        String longTag = RequestKey.derive(Map.of("BUILD_TAG", "jenkins-" + "x".repeat(300) + "-1"), PLAN, "");

        assertTrue(gitlab.startsWith("gitlab-4242-"), gitlab);
        assertTrue(jenkins.startsWith("jenkins-acme_infra_live-17-"), jenkins);
        assertTrue(RequestKey.FORM.matcher(jenkins).matches(), jenkins);
        assertTrue(RequestKey.FORM.matcher(longTag).matches(), longTag);
    }

    @Test
    void outsideCiEverySubmissionGetsAFreshKey() {
        String one = RequestKey.derive(Map.of("HOME", "/home/dev"), PLAN, "");
        String two = RequestKey.derive(Map.of("HOME", "/home/dev"), PLAN, "");

        assertNotEquals(one, two);
        assertTrue(one.startsWith("cli-") && RequestKey.FORM.matcher(one).matches(), one);
    }
}
