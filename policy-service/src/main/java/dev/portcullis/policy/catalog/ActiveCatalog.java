package dev.portcullis.policy.catalog;

import static java.util.Objects.requireNonNull;

import dev.portcullis.catalog.Catalog;
import dev.portcullis.catalog.CatalogLoader;
import dev.portcullis.catalog.CatalogRejectedException;
import dev.portcullis.runtime.audit.AuditAction;
import dev.portcullis.runtime.audit.AuditEvent;
import dev.portcullis.runtime.audit.AuditOutcome;
import dev.portcullis.runtime.audit.AuditRecorder;
import dev.portcullis.runtime.audit.AuditResource;
import dev.portcullis.runtime.telemetry.Counter;
import dev.portcullis.runtime.telemetry.Telemetry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The catalog in force, kept current from its file. A valid new version replaces the old one
 * in one atomic step, so every decision sees one whole catalog; an invalid one is refused with
 * its problems logged and audited ({@code catalog.rejected}), and the last good version stays in
 * force. Thread-safe.
 */
public final class ActiveCatalog implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ActiveCatalog.class);

    private final CatalogLoader loader;
    private final Path file;
    private final Clock clock;
    private final AuditRecorder audit;
    private final Counter reloads;
    private final AtomicReference<LoadedCatalog> current = new AtomicReference<>();
    private final ScheduledExecutorService watcher;
    // guarded by this: what the file looked like at the last load attempt
    private Object lastStamp = "";
    private byte[] lastContent = new byte[0];

    /**
     * Loads {@code file}; there is no last good version yet, so a bad file stops start-up.
     *
     * @throws CatalogRejectedException with every problem, when the file is invalid
     * @throws UncheckedIOException when it cannot be read
     */
    public ActiveCatalog(CatalogLoader loader, Path file, Clock clock, AuditRecorder audit) {
        this(loader, file, clock, audit, Telemetry.disabled("policy"));
    }

    /**
     * As above, counting loads ({@code portcullis.policy.catalog.loads}: {@code result} loaded
     * or rejected) and publishing the version in force ({@code portcullis.policy.catalog.version}).
     */
    public ActiveCatalog(CatalogLoader loader, Path file, Clock clock, AuditRecorder audit, Telemetry telemetry) {
        this.reloads = requireNonNull(telemetry, "telemetry is null").counter("portcullis.policy.catalog.loads", "{load}",
                "catalog versions loaded or rejected (the last good one stays in force)");
        this.loader = requireNonNull(loader, "loader is null");
        this.file = requireNonNull(file, "file is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.audit = requireNonNull(audit, "audit is null");
        this.watcher = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "catalog-watch");
            thread.setDaemon(true);
            return thread;
        });
        synchronized (this) {
            lastStamp = stamp();
            lastContent = read();
            current.set(new LoadedCatalog(loader.load(file.toString(), lastContent), clock.instant()));
        }
        loaded(current.get().catalog());
        telemetry.gauge("portcullis.policy.catalog.version", "{version}", "1 for the catalog version in force, by version",
                () -> Map.of(Map.of("version", current().catalog().version().value()), 1));
    }

    private void loaded(Catalog catalog) {
        reloads.add(Map.of("result", "loaded"));
        log.atInfo().addKeyValue("version", catalog.version().value()).log("catalog.loaded");
        record(AuditEvent.builder("policy", AuditAction.CATALOG_LOADED, clock.instant())
                .resource(new AuditResource("catalog", catalog.version().value(), "", ""))
                .attributes(Map.of("repos", String.valueOf(catalog.repos().size())))
                .build());
    }

    private void record(AuditEvent event) {
        try {
            audit.record(event);
        } catch (RuntimeException e) {
            log.atError().setCause(e).log("catalog.audit_failed");
        }
    }

    /** The catalog in force. Never blocks. */
    public LoadedCatalog current() {
        return current.get();
    }

    /** Checks the file every {@code interval} from now on. */
    public void watch(Duration interval) {
        long millis = interval.toMillis();
        watcher.scheduleWithFixedDelay(this::reloadIfChanged, millis, millis, TimeUnit.MILLISECONDS);
    }

    /**
     * Reloads when the file changed since the last attempt.
     *
     * @return the outcome, for tests and operators
     */
    public synchronized Reload reloadIfChanged() {
        Object stamp = stamp();
        if (stamp.equals(lastStamp)) {
            return Reload.UNCHANGED;
        }
        byte[] content;
        try {
            content = read();
        } catch (UncheckedIOException e) {
            log.atWarn().addKeyValue("file", file).log("catalog.unreadable");
            return Reload.UNCHANGED;
        }
        lastStamp = stamp;
        if (Arrays.equals(content, lastContent)) {
            return Reload.UNCHANGED;
        }
        lastContent = content;
        try {
            Catalog catalog = loader.load(file.toString(), content);
            current.set(new LoadedCatalog(catalog, clock.instant()));
            loaded(catalog);
            return Reload.LOADED;
        } catch (CatalogRejectedException e) {
            log.atWarn()
                    .addKeyValue("version", e.version())
                    .addKeyValue("in_force", current.get().catalog().version().value())
                    .addKeyValue("problems", e.problems().size())
                    .addKeyValue("first_problem", e.problems().get(0).toString())
                    .log("catalog.rejected");
            String first = e.problems().get(0).toString();
            record(AuditEvent.builder("policy", AuditAction.CATALOG_REJECTED, clock.instant())
                    .resource(new AuditResource("catalog", e.version(), "", ""))
                    .outcome(AuditOutcome.FAILURE)
                    .reason("CATALOG_INVALID")
                    .attributes(Map.of(
                            "in_force", current.get().catalog().version().value(),
                            "problems", String.valueOf(e.problems().size()),
                            "first_problem", first.length() > 1024 ? first.substring(0, 1024) : first))
                    .build());
            reloads.add(Map.of("result", "rejected"));
            return Reload.REJECTED;
        }
    }

    /** What a reload did. */
    public enum Reload { UNCHANGED, LOADED, REJECTED }

    private Object stamp() {
        try {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            return java.util.List.of(attributes.lastModifiedTime(), attributes.size(),
                    String.valueOf(attributes.fileKey()));
        } catch (IOException e) {
            return "missing";
        }
    }

    private byte[] read() {
        try {
            if (Files.size(file) > CatalogLoader.MAX_BYTES) {
                // let the loader report it, without reading an arbitrarily large file
                return new byte[CatalogLoader.MAX_BYTES + 1];
            }
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the catalog file " + file, e);
        }
    }

    @Override
    public void close() {
        watcher.shutdownNow();
    }
}
