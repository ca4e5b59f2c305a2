package dev.portcullis.executor.artifact.local;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.portcullis.executor.artifact.ArtifactLocation;
import dev.portcullis.executor.artifact.ArtifactStore;
import dev.portcullis.executor.artifact.ArtifactStoreContract;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The directory store against the shared contract. */
class LocalArtifactStoreTest extends ArtifactStoreContract {
    private Path root;
    private LocalArtifactStore store;

    @BeforeEach
    void open() {
        root = scratch.resolve("artifacts");
        store = new LocalArtifactStore(root);
    }

    @Override
    protected ArtifactStore store() {
        return store;
    }

    @Override
    protected String foreignUri(ArtifactLocation location) {
        return scratch.resolve("elsewhere").resolve(location.key()).toUri().toString();
    }

    @Override
    protected void tamper(ArtifactLocation location, byte[] bytes) throws Exception {
        Files.write(root.resolve(location.key()), bytes);
    }

    @Test
    void theDirectoryIsOwnerOnly() throws Exception {
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(root)));
    }
}
