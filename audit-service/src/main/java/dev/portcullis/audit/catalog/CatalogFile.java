package dev.portcullis.audit.catalog;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

/**
 * The Service Catalog file the policy service decides by, read by the audit service for the
 * repositories it names (the same file, deployed to both; the audit service never depends on the
 * policy service). Only {@code repos[].name}, {@code repos[].url}, {@code repos[].rules[]} and
 * {@code commands.*.changes_infrastructure} are read: validating the catalog is the policy
 * service's work, so this reader is lenient about everything else.
 *
 * <p>The file is checked for changes at most every {@code reloadInterval}, on use; a changed
 * file that cannot be read keeps the last good version in force (logged once). Thread-safe.
 */
public final class CatalogFile implements Supplier<CatalogRepos> {
    private static final Logger log = LoggerFactory.getLogger(CatalogFile.class);
    private static final int MAX_BYTES = 4 * 1024 * 1024;

    private final Path file;
    private final Optional<RepoUrl> catalogRepository;
    private final RefPatterns alwaysProtected;
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
    public CatalogFile(Path file, Optional<RepoUrl> catalogRepository, RefPatterns alwaysProtected, Duration reloadInterval,
            Clock clock) {
        this.file = requireNonNull(file, "file is null");
        this.catalogRepository = requireNonNull(catalogRepository, "catalogRepository is null");
        this.alwaysProtected = requireNonNull(alwaysProtected, "alwaysProtected is null");
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
        String text;
        try {
            if (Files.size(file) > MAX_BYTES) {
                throw new IllegalStateException("catalog file " + file + " is larger than 4 MiB");
            }
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("catalog file " + file + " cannot be read");
        }
        Object root;
        try {
            root = new Load(LoadSettings.builder().setAllowDuplicateKeys(false).setMaxAliasesForCollections(10)
                    .setCodePointLimit(MAX_BYTES).build()).loadFromString(text);
        } catch (YamlEngineException e) {
            throw new IllegalStateException("catalog file " + file + " is not valid YAML");
        }
        return parse(root);
    }

    private CatalogRepos parse(Object root) {
        Map<?, ?> top = root instanceof Map<?, ?> map ? map : Map.of();
        Set<String> changing = new HashSet<>();
        if (top.get("commands") instanceof Map<?, ?> commands) {
            commands.forEach((name, command) -> {
                if (command instanceof Map<?, ?> fields && Boolean.TRUE.equals(fields.get("changes_infrastructure"))) {
                    changing.add(String.valueOf(name));
                }
            });
        }
        Map<String, CatalogRepos.Repo> repos = new LinkedHashMap<>();
        List<?> entries = top.get("repos") instanceof List<?> list ? list : List.of();
        for (Object entry : entries) {
            if (!(entry instanceof Map<?, ?> repo) || !(repo.get("name") instanceof String name)
                    || !(repo.get("url") instanceof String url)) {
                throw new IllegalStateException("catalog file " + file + " has a repo without a name or url");
            }
            List<String> protectedRefs = new ArrayList<>();
            List<?> rules = repo.get("rules") instanceof List<?> r ? r : List.of();
            for (Object rule : rules) {
                if (rule instanceof Map<?, ?> fields && fields.get("commands") instanceof List<?> commands
                        && commands.stream().anyMatch(command -> changing.contains(String.valueOf(command)))
                        && fields.get("refs") instanceof List<?> refs) {
                    refs.forEach(ref -> protectedRefs.add(String.valueOf(ref)));
                }
            }
            repos.put(name, new CatalogRepos.Repo(name, RepoUrl.of(url), new RefPatterns(protectedRefs)));
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
