package dev.portcullis.cli.run;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.portcullis.v1.RunSpec;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The default idempotency key of a submission. Inside a CI job it is stable: the job's identity
 * (GitHub Actions run and attempt, GitLab job, Jenkins build tag) plus a digest of what is asked,
 * so a retried step gets the run it already created back instead of starting a second one, a
 * re-run of the pipeline (a new attempt) starts anew, and one job may submit several different
 * runs. Outside CI it is random.
 */
final class RequestKey {
    /** What the gateway accepts: 1 to 128 of these characters. */
    static final Pattern FORM = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
    private static final int PREFIX_MAX = 80;
    private static final int DIGEST_HEX = 24;

    private RequestKey() {}

    /**
     * The key for {@code spec} (and the break-glass justification, which the gateway compares
     * too) in the CI job described by {@code environment}.
     */
    static String derive(Map<String, String> environment, RunSpec spec, String breakGlass) {
        Optional<String> job = ciJob(environment);
        if (job.isEmpty()) {
            return "cli-" + UUID.randomUUID();
        }
        String prefix = job.get().replaceAll("[^A-Za-z0-9._:-]", "_");
        if (prefix.length() > PREFIX_MAX) {
            prefix = prefix.substring(0, PREFIX_MAX);
        }
        String whole = String.join("\n", job.get(), spec.getRepo(), spec.getCommitSha(), spec.getRef(), spec.getFolder(),
                spec.getEnvironment(), spec.getCommand(), spec.getPlanRunId(), breakGlass);
        return prefix + "-" + sha256(whole).substring(0, DIGEST_HEX);
    }

    private static Optional<String> ciJob(Map<String, String> environment) {
        Optional<String> github = value(environment, "GITHUB_RUN_ID");
        if (github.isPresent()) {
            return Optional.of("github-" + github.get() + "-" + value(environment, "GITHUB_RUN_ATTEMPT").orElse("1"));
        }
        Optional<String> gitlab = value(environment, "CI_JOB_ID");
        if (gitlab.isPresent()) {
            return Optional.of("gitlab-" + gitlab.get());
        }
        return value(environment, "BUILD_TAG"); // Jenkins: jenkins-${JOB_NAME}-${BUILD_NUMBER}
    }

    private static Optional<String> value(Map<String, String> environment, String name) {
        return Optional.ofNullable(environment.get(name)).map(String::strip).filter(v -> !v.isEmpty());
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
