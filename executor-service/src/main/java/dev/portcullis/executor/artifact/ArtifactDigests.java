package dev.portcullis.executor.artifact;

import dev.portcullis.runtime.request.Sha256Digest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 over artifact bytes, computed while they are copied, so they are read once. */
public final class ArtifactDigests {
    private ArtifactDigests() {}

    /** A digest and the number of bytes it covers. */
    public record Digested(Sha256Digest sha256, long sizeBytes) {}

    /** The digest and size of {@code file}. */
    public static Digested of(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return copy(in, OutputStream.nullOutputStream());
        }
    }

    /** Copies {@code in} to {@code out} and returns the digest and size of what was copied. */
    public static Digested copy(InputStream in, OutputStream out) throws IOException {
        MessageDigest sha256 = sha256();
        byte[] buffer = new byte[64 * 1024];
        long size = 0;
        for (int read; (read = in.read(buffer)) >= 0; ) {
            sha256.update(buffer, 0, read);
            out.write(buffer, 0, read);
            size += read;
        }
        return new Digested(new Sha256Digest(HexFormat.of().formatHex(sha256.digest())), size);
    }

    /**
     * Fetches the artifact {@code ref} names from {@code store} into the new file {@code target}
     * and checks that its bytes have the digest and size of {@code ref}; on any mismatch the file
     * is deleted.
     *
     * @throws ArtifactException MISSING, UNAVAILABLE, or DIGEST_MISMATCH
     */
    public static void fetchVerified(ArtifactStore store, ArtifactLocation location, ArtifactRef ref, Path target) {
        Digested got;
        try (OutputStream out = Files.newOutputStream(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            got = read(store, location, out);
        } catch (IOException | ArtifactException e) {
            deleteQuietly(target);
            throw e instanceof ArtifactException artifact ? artifact : new ArtifactException(
                    ArtifactException.Problem.UNAVAILABLE, "the artifact " + location.key() + " could not be read", e);
        }
        try {
            requireMatch(location, ref, got);
        } catch (ArtifactException e) {
            deleteQuietly(target);
            throw e;
        }
    }

    /**
     * Reads the artifact {@code ref} names from {@code store}, keeping nothing, and checks that its
     * bytes have the digest and size of {@code ref}: for a task that fetches the plan itself.
     *
     * @throws ArtifactException MISSING, UNAVAILABLE, or DIGEST_MISMATCH
     */
    public static void verify(ArtifactStore store, ArtifactLocation location, ArtifactRef ref) {
        requireMatch(location, ref, read(store, location, OutputStream.nullOutputStream()));
    }

    /**
     * Copies the artifact's bytes from {@code store} to {@code out}; the digest and size of what was read.
     *
     * @throws ArtifactException MISSING or UNAVAILABLE
     */
    public static Digested read(ArtifactStore store, ArtifactLocation location, OutputStream out) {
        try (InputStream in = store.open(location)) {
            return copy(in, out);
        } catch (IOException e) {
            throw new ArtifactException(ArtifactException.Problem.UNAVAILABLE,
                    "the artifact " + location.key() + " could not be read", e);
        }
    }

    private static void requireMatch(ArtifactLocation location, ArtifactRef ref, Digested got) {
        if (!got.sha256().equals(ref.sha256()) || got.sizeBytes() != ref.sizeBytes()) {
            throw new ArtifactException(ArtifactException.Problem.DIGEST_MISMATCH, "the artifact " + location.key()
                    + " has SHA-256 " + got.sha256() + " (" + got.sizeBytes() + " bytes), not the expected "
                    + ref.sha256() + " (" + ref.sizeBytes() + " bytes)", null);
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK always has SHA-256", e);
        }
    }
}
