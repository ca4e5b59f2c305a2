package dev.portcullis.bench.reliability;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import dev.portcullis.catalog.Catalog;
import dev.portcullis.catalog.CatalogLoader;
import dev.portcullis.runtime.identity.SpiffeId;
import dev.portcullis.runtime.pki.DevPki;
import dev.portcullis.runtime.request.CatalogName;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What the hostile corpus needs to know of the suite's catalog: the demo repo's main commit, a
 * repository whose callers exclude the corpus' CI identities (when there is one), and whether the
 * admin may call the demo repo (so its self-approval can be tried).
 */
record CorpusCatalogFacts(String mainCommit, Optional<String> foreignRepo, boolean adminIsCaller) {
    CorpusCatalogFacts {
        requireNonNull(mainCommit, "mainCommit is null");
        requireNonNull(foreignRepo, "foreignRepo is null");
    }

    static CorpusCatalogFacts read(Path catalogFile, String repo) {
        Catalog catalog;
        try {
            catalog = new CatalogLoader().load(catalogFile.toString(), Files.readAllBytes(catalogFile));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the suite's catalog " + catalogFile, e);
        }
        var home = catalog.repo(new CatalogName(repo)).orElseThrow(() ->
                new IllegalStateException("the hostile corpus needs repo '" + repo + "' in " + catalogFile));
        if (!home.url().startsWith("file://")) {
            throw new IllegalStateException("the hostile corpus needs repo '" + repo + "' to be a local file:// repository");
        }
        String commit = git(Path.of(URI.create(home.url())), "rev-parse", "refs/heads/main");
        SpiffeId corpusCi = new SpiffeId("spiffe://" + DevPki.TRUST_DOMAIN + "/ci/hostile/x/1");
        SpiffeId admin = DevPki.Member.ADMIN.identity();
        Optional<String> foreign = catalog.repos().values().stream()
                .filter(r -> r.callers().stream().noneMatch(p -> p.matches(corpusCi)))
                .map(r -> r.name().value()).findFirst();
        boolean adminCaller = home.callers().stream().anyMatch(p -> p.matches(admin));
        return new CorpusCatalogFacts(commit, foreign, adminCaller);
    }

    private static String git(Path repo, String... args) {
        List<String> command = new ArrayList<>(List.of("git", "-C", repo.toString()));
        command.addAll(List.of(args));
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(process.getInputStream().readAllBytes(), UTF_8).strip();
            if (process.waitFor() != 0 || !out.matches("[0-9a-f]{40}")) {
                throw new IllegalStateException("git rev-parse in " + repo + " failed: " + out);
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run git in " + repo, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
