package dev.portcullis.executor.repo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.portcullis.runtime.error.DomainException;
import dev.portcullis.runtime.request.CommitSha;
import dev.portcullis.runtime.request.GitRef;
import java.util.Map;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectIdRef;
import org.eclipse.jgit.lib.Ref;
import org.junit.jupiter.api.Test;

/** Reading a repository's advertised refs: exact names only, an annotated tag's peeled commit first. */
class GitRefHeadsTest {
    private static final ObjectId A = ObjectId.fromString("a".repeat(40));
    private static final ObjectId B = ObjectId.fromString("b".repeat(40));

    @Test
    void aRefWhoseNameOnlyEndsLikeTheOneAskedForIsIgnored() {
        Map<String, Ref> advertised = Map.of(
                "refs/remotes/fork/refs/heads/main", branch("refs/remotes/fork/refs/heads/main", A),
                "refs/heads/main", branch("refs/heads/main", B));

        CommitSha head = GitRefHeads.commitOf(advertised, new GitRef("refs/heads/main"));

        assertEquals(new CommitSha(B.name()), head);
    }

    @Test
    void thePeeledCommitOfAnAnnotatedTagWinsOverTheTagObject() {
        Map<String, Ref> advertised = Map.of("refs/tags/v1",
                new ObjectIdRef.PeeledTag(Ref.Storage.NETWORK, "refs/tags/v1", A, B));

        assertEquals(new CommitSha(B.name()), GitRefHeads.commitOf(advertised, new GitRef("refs/tags/v1")));
    }

    @Test
    void aListingWithoutTheRefIsNotFound() {
        Map<String, Ref> advertised = Map.of("refs/remotes/x/refs/heads/main", branch("refs/remotes/x/refs/heads/main", A));

        DomainException e = assertThrows(DomainException.class,
                () -> GitRefHeads.commitOf(advertised, new GitRef("refs/heads/main")));

        assertEquals("REF_NOT_FOUND", e.reason());
    }

    @Test
    void aRefAdvertisedWithoutAnObjectIsNotFoundNotAGuess() {
        Map<String, Ref> advertised = Map.of("refs/heads/main",
                new ObjectIdRef.Unpeeled(Ref.Storage.NEW, "refs/heads/main", null));

        DomainException e = assertThrows(DomainException.class,
                () -> GitRefHeads.commitOf(advertised, new GitRef("refs/heads/main")));

        assertEquals("REF_NOT_FOUND", e.reason());
    }

    private static Ref branch(String name, ObjectId id) {
        return new ObjectIdRef.PeeledNonTag(Ref.Storage.NETWORK, name, id);
    }
}
