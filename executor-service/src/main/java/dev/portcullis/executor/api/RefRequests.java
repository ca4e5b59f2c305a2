package dev.portcullis.executor.api;

import dev.portcullis.executor.repo.GitRefHeads;
import dev.portcullis.runtime.error.InvalidRequestException;
import dev.portcullis.runtime.request.FieldParser;
import dev.portcullis.runtime.request.GitRef;
import dev.portcullis.v1.ResolveRefRequest;
import java.util.Optional;

/** A {@code ResolveRef} request parsed, every violation reported at once ({@link InvalidRequestException}). */
final class RefRequests {
    private RefRequests() {}

    record RefToResolve(String repoUrl, GitRef ref) {}

    static RefToResolve parse(ResolveRefRequest request) {
        FieldParser fields = new FieldParser();
        // the problem, never the URL: it may carry userinfo
        GitRefHeads.urlProblem(request.getRepoUrl()).ifPresent(problem -> fields.reject("repo_url", problem));
        Optional<GitRef> ref = fields.parse("ref", request.getRef(), GitRef::new);
        if (ref.isPresent() && !ref.get().value().startsWith("refs/heads/") && !ref.get().value().startsWith("refs/tags/")) {
            fields.reject("ref", "must be a branch (refs/heads/...) or a tag (refs/tags/...)");
        }
        fields.throwIfInvalid();
        return new RefToResolve(request.getRepoUrl(), ref.orElseThrow());
    }
}
