package dev.portcullis.executor.artifact.local;

import static java.util.Objects.requireNonNull;

import dev.portcullis.executor.artifact.ArtifactDigests;
import dev.portcullis.executor.artifact.ArtifactException;
import dev.portcullis.executor.artifact.ArtifactLocation;
import dev.portcullis.executor.artifact.ArtifactRef;
import dev.portcullis.executor.artifact.ArtifactStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.FileSystemNotFoundException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.UUID;

/**
 * Artifacts in a local directory (development mode): {@code DIR/RUN_ID/PATH}, URIs
 * {@code file:///…}. The directory is created owner-only, since a plan file may hold sensitive
 * values. A file is written to a temporary name and moved into place, so a reader never sees half
 * an artifact. Thread-safe.
 */
public final class LocalArtifactStore implements ArtifactStore {
    private final Path root;

    /** @param root the directory; created (owner-only) when absent */
    public LocalArtifactStore(Path root) {
        this.root = requireNonNull(root, "root is null").toAbsolutePath().normalize();
        try {
            Files.createDirectories(this.root);
            if (Files.getFileStore(this.root).supportsFileAttributeView("posix")) {
                Files.setPosixFilePermissions(this.root, PosixFilePermissions.fromString("rwx------"));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("the artifact directory cannot be created", e);
        }
    }

    @Override
    public ArtifactRef put(ArtifactLocation location, Path file) {
        Path target = root.resolve(location.runId().value()).resolve(location.path().value());
        Path temporary = root.resolve(".incoming-" + UUID.randomUUID());
        try {
            ArtifactDigests.Digested digested;
            try (InputStream in = Files.newInputStream(file); OutputStream out = Files.newOutputStream(temporary)) {
                digested = ArtifactDigests.copy(in, out);
            }
            Files.createDirectories(target.getParent());
            Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return new ArtifactRef(target.toUri().toString(), digested.sha256(), digested.sizeBytes());
        } catch (IOException e) {
            throw new ArtifactException(ArtifactException.Problem.UNAVAILABLE,
                    "the artifact " + location.key() + " could not be stored", e);
        } finally {
            try {
                Files.deleteIfExists(temporary);
            } catch (IOException e) {
                // nothing depends on the stray temporary file; the next start of the store leaves it too
            }
        }
    }

    @Override
    public Optional<ArtifactLocation> locate(String uri) {
        Path path;
        try {
            URI parsed = new URI(uri);
            if (!"file".equals(parsed.getScheme()) || parsed.getRawQuery() != null || parsed.getRawFragment() != null) {
                return Optional.empty();
            }
            path = Path.of(parsed);
        } catch (URISyntaxException | IllegalArgumentException | FileSystemNotFoundException e) {
            return Optional.empty();
        }
        // compare the text as given: a URI with "." or ".." segments is not one this store made
        if (!path.equals(path.normalize()) || !path.startsWith(root) || path.getNameCount() - root.getNameCount() < 2) {
            return Optional.empty();
        }
        return ArtifactLocation.ofKey(root.relativize(path).toString().replace('\\', '/'));
    }

    @Override
    public ArtifactRef inspect(ArtifactLocation location) {
        Path file = root.resolve(location.runId().value()).resolve(location.path().value());
        ArtifactDigests.Digested digested = ArtifactDigests.read(this, location, OutputStream.nullOutputStream());
        return new ArtifactRef(file.toUri().toString(), digested.sha256(), digested.sizeBytes());
    }

    @Override
    public void delete(ArtifactLocation location) {
        try {
            Files.deleteIfExists(root.resolve(location.runId().value()).resolve(location.path().value()));
        } catch (IOException e) {
            throw new ArtifactException(ArtifactException.Problem.UNAVAILABLE,
                    "the artifact " + location.key() + " could not be deleted", e);
        }
    }

    @Override
    public InputStream open(ArtifactLocation location) {
        Path file = root.resolve(location.runId().value()).resolve(location.path().value());
        try {
            return Files.newInputStream(file);
        } catch (NoSuchFileException e) {
            throw new ArtifactException(ArtifactException.Problem.MISSING, "no artifact " + location.key() + " is stored", e);
        } catch (IOException e) {
            throw new ArtifactException(ArtifactException.Problem.UNAVAILABLE,
                    "the artifact " + location.key() + " could not be read", e);
        }
    }
}
