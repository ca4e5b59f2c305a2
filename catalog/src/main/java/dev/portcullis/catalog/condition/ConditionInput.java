package dev.portcullis.catalog.condition;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Map;

/**
 * The facts about one run request that a {@link CelCondition} may look at, already validated at
 * the service boundary. Inside the expression they are {@code request.caller},
 * {@code request.repo}, {@code request.commit_sha}, {@code request.ref}, {@code request.folder},
 * {@code request.environment}, {@code request.command}, {@code request.break_glass},
 * {@code now} and {@code request.claims}.
 *
 * @param caller the caller's SPIFFE id
 * @param repo the catalog name of the repository
 * @param commitSha the full 40-hex commit
 * @param ref the git ref the commit was built from, e.g. {@code refs/heads/main}
 * @param folder the normalised folder inside the repository
 * @param environment the catalog name of the environment
 * @param command the catalog name of the command
 * @param breakGlass whether an admin invoked break-glass for this run
 * @param now the time of the decision, from the policy service's clock
 * @param claims the verified claims of the caller's OIDC identity token, each as a string; empty
 *     for a caller that authenticated with a client certificate
 */
public record ConditionInput(
        String caller,
        String repo,
        String commitSha,
        String ref,
        String folder,
        String environment,
        String command,
        boolean breakGlass,
        Instant now,
        Map<String, String> claims) {

    public ConditionInput {
        requireNonNull(caller, "caller is null");
        requireNonNull(repo, "repo is null");
        requireNonNull(commitSha, "commitSha is null");
        requireNonNull(ref, "ref is null");
        requireNonNull(folder, "folder is null");
        requireNonNull(environment, "environment is null");
        requireNonNull(command, "command is null");
        requireNonNull(now, "now is null");
        claims = Map.copyOf(requireNonNull(claims, "claims is null"));
    }
}
