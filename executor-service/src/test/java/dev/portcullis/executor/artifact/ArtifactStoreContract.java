package dev.portcullis.executor.artifact;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.runtime.request.RunId;
import dev.portcullis.runtime.request.Sha256Digest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What every {@link ArtifactStore} promises; each implementation's test extends this. */
public abstract class ArtifactStoreContract {
    /** SHA-256 of the bytes "plan bytes\n". */
    private static final String PLAN_SHA256 = sha256Hex("plan bytes\n".getBytes());

    @TempDir
    protected Path scratch;

    protected abstract ArtifactStore store();

    /** A URI in the form this store makes, but outside its root. */
    protected abstract String foreignUri(ArtifactLocation location);

    /** Changes the stored bytes of {@code location} behind the store's back. */
    protected abstract void tamper(ArtifactLocation location, byte[] bytes) throws Exception;

    private final ArtifactLocation location = new ArtifactLocation(RunId.random(), new ArtifactPath("plan.tfplan"));

    private Path file(String content) throws Exception {
        Path file = Files.createTempFile(scratch, "artifact", ".bin");
        Files.writeString(file, content);
        return file;
    }

    @Test
    void aStoredArtifactIsReportedWithTheDigestAndSizeOfItsBytes() throws Exception {
        ArtifactRef ref = store().put(location, file("plan bytes\n"));

        assertEquals(new Sha256Digest(PLAN_SHA256), ref.sha256());
        assertEquals(11, ref.sizeBytes());
        assertEquals(Optional.of(location), store().locate(ref.uri()));
    }

    @Test
    void inspectingAStoredArtifactDigestsItsBytesAsStoredNow() throws Exception {
        ArtifactRef ref = store().put(location, file("plan bytes\n"));
        tamper(location, "plan bytez, longer\n".getBytes());

        ArtifactRef inspected = store().inspect(location);

        assertEquals(ref.uri(), inspected.uri());
        assertEquals(new Sha256Digest(sha256Hex("plan bytez, longer\n".getBytes())), inspected.sha256());
        assertEquals(19, inspected.sizeBytes());
    }

    @Test
    void inspectingAMissingArtifactIsMissing() {
        ArtifactException e = assertThrows(ArtifactException.class, () -> store().inspect(location));

        assertEquals(ArtifactException.Problem.MISSING, e.problem());
    }

    @Test
    void aStoredArtifactIsFetchedWhenItsDigestMatches() throws Exception {
        ArtifactRef ref = store().put(location, file("plan bytes\n"));
        Path target = scratch.resolve("fetched");

        ArtifactDigests.fetchVerified(store(), store().locate(ref.uri()).orElseThrow(), ref, target);

        assertArrayEquals("plan bytes\n".getBytes(), Files.readAllBytes(target));
    }

    @Test
    void aFetchIsRefusedAndLeavesNothingWhenTheDigestDiffers() throws Exception {
        ArtifactRef stored = store().put(location, file("plan bytes\n"));
        ArtifactRef approved = new ArtifactRef(stored.uri(), new Sha256Digest(sha256Hex("another plan\n".getBytes())), 13);
        Path target = scratch.resolve("fetched");

        ArtifactException e = assertThrows(ArtifactException.class,
                () -> ArtifactDigests.fetchVerified(store(), location, approved, target));

        assertEquals(ArtifactException.Problem.DIGEST_MISMATCH, e.problem());
        assertFalse(Files.exists(target));
    }

    @Test
    void anArtifactChangedInTheStoreIsRefused() throws Exception {
        ArtifactRef ref = store().put(location, file("plan bytes\n"));
        tamper(location, "plan bytez\n".getBytes());

        ArtifactException e = assertThrows(ArtifactException.class,
                () -> ArtifactDigests.fetchVerified(store(), location, ref, scratch.resolve("fetched")));

        assertEquals(ArtifactException.Problem.DIGEST_MISMATCH, e.problem());
    }

    @Test
    void aMissingArtifactIsReportedMissing() {
        ArtifactException e = assertThrows(ArtifactException.class, () -> store().open(location));

        assertEquals(ArtifactException.Problem.MISSING, e.problem());
        assertTrue(e.getMessage().contains(location.key()), e.getMessage());
    }

    @Test
    void aUriOutsideTheStoreOrWithATrickPathIsNotLocated() throws Exception {
        ArtifactRef ref = store().put(location, file("plan bytes\n"));
        String base = ref.uri().substring(0, ref.uri().length() - location.key().length());

        assertEquals(Optional.empty(), store().locate(foreignUri(location)));
        assertEquals(Optional.empty(), store().locate(base + location.runId() + "/../etc/passwd"));
        assertEquals(Optional.empty(), store().locate(base + "not-a-run-id/plan.tfplan"));
        assertEquals(Optional.empty(), store().locate(base + location.runId()));
    }

    @Test
    void anArtifactInASubfolderKeepsItsPath() throws Exception {
        ArtifactLocation nested = new ArtifactLocation(location.runId(), new ArtifactPath("out/plan.tfplan"));

        ArtifactRef ref = store().put(nested, file("plan bytes\n"));

        assertEquals(Optional.of(nested), store().locate(ref.uri()));
    }

    @Test
    void aDeletedArtifactIsMissing() throws Exception {
        store().put(location, file("plan bytes\n"));

        store().delete(location);

        assertEquals(ArtifactException.Problem.MISSING,
                assertThrows(ArtifactException.class, () -> store().open(location)).problem());
    }

    @Test
    void deletingAMissingArtifactDoesNothing() {
        store().delete(location);

        assertEquals(ArtifactException.Problem.MISSING,
                assertThrows(ArtifactException.class, () -> store().open(location)).problem());
    }

    protected static String sha256Hex(byte[] bytes) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
