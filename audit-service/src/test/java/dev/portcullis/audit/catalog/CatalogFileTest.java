package dev.portcullis.audit.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.runtime.testing.MutableClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CatalogFileTest {
    private static final RepoUrl INFRA = RepoUrl.of("https://github.com/acme/infra-live.git");

    @TempDir
    Path dir;

    private final MutableClock clock = MutableClock.at(Instant.parse("2026-11-24T09:00:00Z"));

    @Test
    void theExampleCatalogsRepositoriesAndTheirApplyRefsAreRead() {
        CatalogFile file = new CatalogFile(Path.of("../deploy/examples/catalog.yaml"), Optional.empty(),
                new RefPatterns(List.of()), Duration.ofSeconds(10), clock);

        CatalogRepos repos = file.get();

        assertEquals(Optional.of("infra-live"), repos.byUrl(RepoUrl.of("git@github.com:Acme/infra-live")).map(CatalogRepos.Repo::name));
        assertTrue(repos.isProtected(INFRA, "refs/heads/main", ""), "apply runs from main");
        assertFalse(repos.isProtected(INFRA, "refs/heads/feature", ""), "only plans run from other branches");
        assertTrue(repos.deploys(INFRA));
        assertFalse(repos.deploys(RepoUrl.of("https://github.com/acme/website")));
    }

    @Test
    void aChangedFileIsFollowedAndABrokenOneKeepsTheLastGoodVersion() throws Exception {
        Path catalog = dir.resolve("catalog.yaml");
        Files.writeString(catalog, "repos:\n  - { name: a, url: https://git.example/a.git }\n");
        CatalogFile file = new CatalogFile(catalog, Optional.empty(), new RefPatterns(List.of()), Duration.ofSeconds(10), clock);

        Files.writeString(catalog, "repos:\n  - { name: a, url: https://git.example/a.git }\n  - { name: b, url: https://git.example/b }\n");
        int beforeInterval = file.get().size();
        clock.advance(Duration.ofSeconds(11));
        int afterInterval = file.get().size();
        Files.writeString(catalog, "repos: [ {name: broken\n");
        clock.advance(Duration.ofSeconds(11));
        int afterBreakage = file.get().size();

        assertEquals(1, beforeInterval);
        assertEquals(2, afterInterval);
        assertEquals(2, afterBreakage);
    }

    @Test
    void anUnreadableCatalogStopsStartUpNamingTheFile() {
        IllegalStateException failure = assertThrows(IllegalStateException.class, () -> new CatalogFile(dir.resolve("none.yaml"),
                Optional.empty(), new RefPatterns(List.of()), Duration.ofSeconds(10), clock));

        assertTrue(failure.getMessage().contains("none.yaml cannot be read"), failure.getMessage());
    }

    @Test
    void withoutACatalogEveryRepositoryCountsAndConfiguredRefsAreProtected() {
        CatalogRepos repos = CatalogRepos.unconfigured(Optional.of(RepoUrl.of("https://github.com/acme/catalog")),
                new RefPatterns(List.of("refs/tags/**", "refs/heads/release/*")));

        assertTrue(repos.deploys(RepoUrl.of("https://github.com/anyone/anything")));
        assertTrue(repos.isProtected(INFRA, "refs/tags/v1/rc", ""));
        assertTrue(repos.isProtected(INFRA, "refs/heads/release/7", ""));
        assertFalse(repos.isProtected(INFRA, "refs/heads/release/7/x", ""), "* stays within one component");
        assertTrue(repos.isProtected(INFRA, "refs/heads/trunk", "trunk"), "the default branch is protected");
        assertTrue(repos.isCatalogRepository(RepoUrl.of("git@github.com:acme/catalog.git")));
    }

    @Test
    void repositoryUrlsCompareWithoutTheirSpellingDifferences() {
        assertEquals("github.com/acme/infra-live", RepoUrl.of("https://github.com/Acme/infra-live.git/").value());
        assertEquals("github.com/acme/infra-live", RepoUrl.of("git@github.com:acme/infra-live.git").value());
        assertEquals("github.com/acme/infra-live", RepoUrl.of("ssh://git@github.com/acme/infra-live").value());
        assertEquals("gitlab.example.com/group/sub/proj", RepoUrl.of("https://token@gitlab.example.com/group/sub/proj").value());
        assertThrows(IllegalArgumentException.class, () -> RepoUrl.of("https://"));
    }
}
