package dev.portcullis.audit.catalog;

import static java.util.Objects.requireNonNull;

import dev.portcullis.catalog.Catalog;
import dev.portcullis.catalog.CatalogLoader;
import dev.portcullis.catalog.CatalogRejectedException;
import dev.portcullis.catalog.Command;
import dev.portcullis.catalog.RefPattern;
import dev.portcullis.catalog.Repo;
import dev.portcullis.catalog.Rule;
import dev.portcullis.runtime.request.CatalogName;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Service Catalog file the policy service decides by, read by the audit service for the
 * repositories it names (the same file, deployed to both; the audit service never depends on the
 * policy service). It is loaded by the same {@link CatalogLoader}, so a file the policy service
 * refuses is refused here too, and ref patterns mean the same in both. What the audit service
 * keeps of it: each repository's name and URL, and the refs of the rules that allow a command
 * with {@code changes_infrastructure}.
 *
 * <p>The file is checked for changes at most every {@code reloadInterval}, on use; a changed
 * file that cannot be read or is refused keeps the last good version in force (logged once).
 * Thread-safe.
 */
public final class CatalogFile implements Supplier<CatalogRepos> {
    private static final Logger log = LoggerFactory.getLogger(CatalogFile.class);

    private final Path file;
    private final Optional<RepoUrl> catalogRepository;
    private final List<RefPattern> alwaysProtected;
    private final CatalogLoader loader = new CatalogLoader();
    private final Duration reloadInterval;
    private final Clock clock;
    // guarded by this
    private CatalogRepos current;
    private Instant checkedAt;
    private List<Object> stamp;

    /**
     * Reads {@code file} now.
     *
     * @throws IllegalStateException naming the file when it cannot be read as a catalog
     */
    public CatalogFile(Path file, Optional<RepoUrl> catalogRepository, List<RefPattern> alwaysProtected,
            Duration reloadInterval, Clock clock) {
        this.file = requireNonNull(file, "file is null");
        this.catalogRepository = requireNonNull(catalogRepository, "catalogRepository is null");
        this.alwaysProtected = List.copyOf(alwaysProtected);
        this.reloadInterval = requireNonNull(reloadInterval, "reloadInterval is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.stamp = stamp(file);
        this.current = read();
        this.checkedAt = clock.instant();
    }

    /** The catalog's repositories as of the newest readable version of the file. */
    @Override
    public synchronized CatalogRepos get() {
        Instant now = clock.instant();
        if (now.isBefore(checkedAt.plus(reloadInterval))) {
            return current;
        }
        checkedAt = now;
        List<Object> newStamp = stamp(file);
        if (!newStamp.equals(stamp)) {
            stamp = newStamp;
            try {
                current = read();
                log.atInfo().addKeyValue("file", file).addKeyValue("repos", current.size()).log("audit.catalog_reloaded");
            } catch (IllegalStateException e) {
                log.atWarn().addKeyValue("file", file).addKeyValue("problem", e.getMessage()).log("audit.catalog_reload_skipped");
            }
        }
        return current;
    }

    private CatalogRepos read() {
        byte[] content;
        try {
            if (Files.size(file) > CatalogLoader.MAX_BYTES) {
                throw new IllegalStateException("catalog file " + file + " is larger than " + CatalogLoader.MAX_BYTES + " bytes");
            }
            content = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new IllegalStateException("catalog file " + file + " cannot be read");
        }
        Catalog catalog;
        try {
            catalog = loader.load(file.toString(), content);
        } catch (CatalogRejectedException refused) {
            throw new IllegalStateException("catalog file " + file + " is refused: " + refused.getMessage());
        }
        return repos(catalog);
    }

    private CatalogRepos repos(Catalog catalog) {
        Set<CatalogName> changing = catalog.commands().values().stream()
                .filter(Command::changesInfrastructure)
                .map(Command::name)
                .collect(Collectors.toUnmodifiableSet());
        Map<String, CatalogRepos.Repo> repos = new LinkedHashMap<>();
        for (Repo repo : catalog.repos().values()) {
            List<RefPattern> protectedRefs = new ArrayList<>();
            for (Rule rule : repo.rules()) {
                if (rule.commands().stream().anyMatch(changing::contains)) {
                    protectedRefs.addAll(rule.refs());
                }
            }
            RepoUrl url;
            try {
                url = RepoUrl.of(repo.url());
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException("catalog file " + file + ": repo " + repo.name() + " has no usable url");
            }
            repos.put(repo.name().value(), new CatalogRepos.Repo(repo.name().value(), url, protectedRefs));
        }
        return CatalogRepos.of(repos, catalogRepository, alwaysProtected);
    }

    private static List<Object> stamp(Path file) {
        try {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            return List.of(attributes.lastModifiedTime().toMillis(), attributes.size(), String.valueOf(attributes.fileKey()));
        } catch (IOException e) {
            return List.of("missing");
        }
    }
}
