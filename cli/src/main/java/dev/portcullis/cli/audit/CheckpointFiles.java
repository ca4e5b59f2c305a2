package dev.portcullis.cli.audit;

import static java.util.Objects.requireNonNull;

import dev.portcullis.audit.chain.CheckpointSigner;
import dev.portcullis.audit.chain.TreeHead;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.PublicKey;
import java.util.Optional;

/**
 * The checkpoints an auditor has verified, one file per log: {@code DIR/ORIGIN.checkpoint} (the
 * origin's slashes as underscores), holding the signed note as the service signed it. Kept in the
 * auditor's own directory, where the database's administrators cannot reach it, so a later run
 * can prove the log still extends what was seen. Not thread-safe; one command at a time.
 */
final class CheckpointFiles {
    private final Path directory;

    CheckpointFiles(Path directory) {
        this.directory = requireNonNull(directory, "directory is null");
    }

    /** {@code $PORTCULLIS_AUDIT_CHECKPOINT_DIR}, else {@code $XDG_CONFIG_HOME/portcullis/audit}, else {@code ~/.config/portcullis/audit}. */
    static Path defaultDirectory() {
        String configured = System.getenv("PORTCULLIS_AUDIT_CHECKPOINT_DIR");
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        String xdg = System.getenv("XDG_CONFIG_HOME");
        Path config = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".config");
        return config.resolve("portcullis").resolve("audit");
    }

    /** Where the newest verified checkpoint of the log signed by {@code key} is kept. */
    Path fileFor(PublicKey key) {
        return directory.resolve(CheckpointSigner.origin(key).replace('/', '_') + ".checkpoint");
    }

    /** The saved note, when there is one. */
    Optional<String> read(PublicKey key) {
        Path file = fileFor(key);
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the saved checkpoint " + file, e);
        }
    }

    /** Replaces the saved note with {@code note} when it covers more events than the saved one. */
    boolean saveIfNewer(PublicKey key, String note, TreeHead head, Optional<TreeHead> saved) {
        if (saved.isPresent() && saved.get().size() >= head.size()) {
            return false;
        }
        Path file = fileFor(key);
        try {
            Files.createDirectories(directory);
            Path partial = Files.createTempFile(directory, "." + file.getFileName(), ".partial");
            Files.writeString(partial, note, StandardCharsets.UTF_8);
            Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save the checkpoint to " + file, e);
        }
    }
}
