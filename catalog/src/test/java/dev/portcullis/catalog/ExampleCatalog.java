package dev.portcullis.catalog;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The example catalog shipped under deploy/examples, as tests read it. */
public final class ExampleCatalog {
    public static final Path FILE = Path.of("../deploy/examples/catalog.yaml").toAbsolutePath().normalize();

    private ExampleCatalog() {}

    public static String text() {
        try {
            return Files.readString(FILE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Catalog load() {
        return new CatalogLoader().load("catalog.yaml", text().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
}
