package dev.portcullis.gateway.drift;

import dev.portcullis.runtime.error.DomainException;
import dev.portcullis.runtime.request.CommitSha;
import dev.portcullis.runtime.request.GitRef;
import java.util.Map;

/**
 * Port: the commit a ref of a repository points at now, which a drift check plans. May block on
 * the network; implementations are thread-safe.
 */
@FunctionalInterface
public interface RefHeads {

    /**
     * The current head of {@code ref} in the repository cloned from {@code repoUrl}.
     *
     * @throws DomainException when it cannot be found out (the drift check is then recorded as
     *     failed, with the exception's reason and message: both must be safe to store and show,
     *     never the URL's credentials or a tool's output)
     */
    CommitSha head(String repoUrl, GitRef ref);

    /**
     * Resolves nothing: the gateway has no way yet to read a repository's refs (the executor holds
     * the credentials to reach them), so each drift check is recorded FAILING with
     * {@code REF_RESOLUTION_UNAVAILABLE} instead of planning a guessed commit. Issue #20 names
     * resolving the ref's head as the next step.
     */
    static RefHeads unavailable() {
        return (repoUrl, ref) -> {
            throw new DomainException(DomainException.Kind.UNAVAILABLE, "REF_RESOLUTION_UNAVAILABLE",
                    "this gateway cannot resolve the head of " + ref + " yet, so it planned nothing (issue #20)", Map.of());
        };
    }
}
