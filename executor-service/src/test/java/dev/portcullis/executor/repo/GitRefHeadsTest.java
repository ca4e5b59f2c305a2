package dev.portcullis.executor.repo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.portcullis.runtime.error.DomainException;
import dev.portcullis.runtime.request.CommitSha;
import dev.portcullis.runtime.request.GitRef;
import org.junit.jupiter.api.Test;

/** Reading git ls-remote's listing: exact names only, the peeled line first. */
class GitRefHeadsTest {
    private static final String A = "a".repeat(40);
    private static final String B = "b".repeat(40);

    @Test
    void aRefWhoseNameOnlyEndsLikeTheOneAskedForIsIgnored() {
        // ls-remote matches patterns against the tail of a name
        String listing = A + "\trefs/remotes/fork/refs/heads/main\n" + B + "\trefs/heads/main\n";

        CommitSha head = GitRefHeads.commitOf(listing, new GitRef("refs/heads/main"));

        assertEquals(new CommitSha(B), head);
    }

    @Test
    void thePeeledLineOfAnAnnotatedTagWinsOverTheTagObject() {
        String listing = A + "\trefs/tags/v1\n" + B + "\trefs/tags/v1^{}\n";

        assertEquals(new CommitSha(B), GitRefHeads.commitOf(listing, new GitRef("refs/tags/v1")));
    }

    @Test
    void aListingWithoutTheRefIsNotFound() {
        DomainException e = assertThrows(DomainException.class,
                () -> GitRefHeads.commitOf(A + "\trefs/remotes/x/refs/heads/main\n", new GitRef("refs/heads/main")));

        assertEquals("REF_NOT_FOUND", e.reason());
    }

    @Test
    void aNonSha1ObjectNameIsUnavailableNotAGuess() {
        DomainException e = assertThrows(DomainException.class,
                () -> GitRefHeads.commitOf("c".repeat(64) + "\trefs/heads/main\n", new GitRef("refs/heads/main")));

        assertEquals("REPOSITORY_UNAVAILABLE", e.reason());
    }
}
