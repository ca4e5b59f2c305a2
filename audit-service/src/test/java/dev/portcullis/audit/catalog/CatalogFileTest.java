package dev.portcullis.audit.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.catalog.RefPattern;
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

    /** A catalog the loader accepts, with {@code repos} (YAML list entries) and an apply rule for {@code applyRefs}. */
    private static String catalogOf(String... repos) {
        return """
                version: 1
                environments:
                  prod: {}
                commands:
                  plan: { argv: ["terraform", "plan"] }
                  apply: { argv: ["terraform", "apply"], changes_infrastructure: true }
                repos:
                """ + String.join("", repos);
    }

    private static String repo(String name, String url, String... applyRefs) {
        String refs = applyRefs.length == 0 ? "" : """
                      - { commands: [apply], refs: [%s], environments: [prod] }
                """.formatted(String.join(", ", java.util.Arrays.stream(applyRefs).map(r -> '"' + r + '"').toList()));
        return """
                  - name: %s
                    url: %s
                    folders: ["**"]
                    callers: ["spiffe://example.org/ci/%s"]
                    rules:
                      - { commands: [plan], refs: ["refs/heads/*"], environments: [prod] }
                """.formatted(name, url, name) + refs;
    }

    @Test
    void theExampleCatalogsRepositoriesAndTheirApplyRefsAreRead() {
        CatalogFile file = new CatalogFile(Path.of("../deploy/examples/catalog.yaml"), Optional.empty(),
                List.of(), Duration.ofSeconds(10), clock);

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
        Files.writeString(catalog, catalogOf(repo("a", "https://git.example/a.git")));
        CatalogFile file = new CatalogFile(catalog, Optional.empty(), List.of(), Duration.ofSeconds(10), clock);

        Files.writeString(catalog, catalogOf(repo("a", "https://git.example/a.git"), repo("b", "https://git.example/b")));
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
                Optional.empty(), List.of(), Duration.ofSeconds(10), clock));

        assertTrue(failure.getMessage().contains("none.yaml cannot be read"), failure.getMessage());
    }

    @Test
    void withoutACatalogEveryRepositoryCountsAndConfiguredRefsAreProtected() {
        CatalogRepos repos = CatalogRepos.unconfigured(Optional.of(RepoUrl.of("https://github.com/acme/catalog")),
                List.of(new RefPattern("refs/tags/**"), new RefPattern("refs/heads/release/*")));

        assertTrue(repos.deploys(RepoUrl.of("https://github.com/anyone/anything")));
        assertTrue(repos.isProtected(INFRA, "refs/tags/v1/rc", ""));
        assertTrue(repos.isProtected(INFRA, "refs/heads/release/7", ""));
        assertFalse(repos.isProtected(INFRA, "refs/heads/release/7/x", ""), "* stays within one component");
        assertTrue(repos.isProtected(INFRA, "refs/heads/trunk", "trunk"), "the default branch is protected");
        assertTrue(repos.isCatalogRepository(RepoUrl.of("git@github.com:acme/catalog.git")));
    }

    @Test
    void aCatalogThePolicyServiceWouldRefuseIsRefusedHereToo() throws Exception {
        Path catalog = dir.resolve("catalog.yaml");
        Files.writeString(catalog, catalogOf(repo("a", "https://git.example/a.git")).replace("folders:", "folderz:"));

        IllegalStateException failure = assertThrows(IllegalStateException.class, () -> new CatalogFile(catalog,
                Optional.empty(), List.of(), Duration.ofSeconds(10), clock));

        assertTrue(failure.getMessage().contains("catalog.yaml is refused"), failure.getMessage());
        assertTrue(failure.getMessage().contains("unknown field 'folderz'"), failure.getMessage());
    }

    @Test
    void aRefWildcardMatchesOneOrMoreCharactersAsInThePolicyService() throws Exception {
        Path catalog = dir.resolve("catalog.yaml");
        Files.writeString(catalog, catalogOf(repo("infra", "https://github.com/acme/infra-live.git", "refs/heads/release*")));
        CatalogFile file = new CatalogFile(catalog, Optional.empty(), List.of(new RefPattern("refs/tags/v*")),
                Duration.ofSeconds(10), clock);

        CatalogRepos repos = file.get();

        assertTrue(repos.isProtected(INFRA, "refs/heads/release1", ""));
        assertFalse(repos.isProtected(INFRA, "refs/heads/release", ""), "'*' never matches nothing");
        assertTrue(repos.isProtected(INFRA, "refs/tags/v1", ""));
        assertFalse(repos.isProtected(INFRA, "refs/tags/v", ""), "'*' never matches nothing");
        assertFalse(repos.isProtected(INFRA, "refs/heads/plan-only", ""), "plan refs are not protected");
    }

    @Test
    void aRefThatIsNotAGitRefMatchesNoPattern() {
        CatalogRepos repos = CatalogRepos.unconfigured(Optional.empty(), List.of(new RefPattern("refs/heads/**")));

        assertFalse(repos.isProtected(INFRA, "refs/heads/a..b", ""));
        assertFalse(repos.isProtected(INFRA, "", ""));
        assertTrue(repos.isProtected(INFRA, "refs/heads/a/b", ""));
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
