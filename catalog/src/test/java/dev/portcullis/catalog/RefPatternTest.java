package dev.portcullis.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.portcullis.runtime.request.GitRef;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The one meaning of a ref pattern, shared by the policy service's rules and the audit service's
 * protected refs: a wildcard matches one or more characters, never none.
 */
class RefPatternTest {

    @ParameterizedTest(name = "{0} ~ {1} -> {2}")
    @CsvSource(delimiter = '|', textBlock = """
            refs/heads/main      | refs/heads/main          | true
            refs/heads/main      | refs/heads/mainline      | false
            refs/heads/*         | refs/heads/main          | true
            refs/heads/*         | refs/heads/feature/x     | false
            refs/pull/*/head     | refs/pull/12/head        | true
            refs/pull/*/head     | refs/pull/12/merge       | false
            refs/heads/**        | refs/heads/feature/x/y   | true
            refs/tags/**         | refs/tags/v1             | true
            refs/heads/release*  | refs/heads/release-7     | true
            refs/heads/*-hotfix  | refs/heads/x-hotfix      | true
            refs/heads/**/main   | refs/heads/team/main     | true
            """)
    void patternsMatchLikeGlobsOverRefComponents(String pattern, String ref, boolean matches) {
        assertEquals(matches, new RefPattern(pattern).matches(new GitRef(ref)));
    }

    @ParameterizedTest(name = "{0} does not match {1}")
    @CsvSource(delimiter = '|', textBlock = """
            refs/heads/release*  | refs/heads/release
            refs/heads/*-hotfix  | refs/heads/-hotfix
            refs/tags/v*         | refs/tags/v
            refs/tags/v**        | refs/tags/v
            refs/heads/main*     | refs/heads/main
            """)
    void aWildcardNeverMatchesNothing(String pattern, String ref) {
        // the boundary where the audit service's former copy (zero or more) disagreed with the policy's
        assertEquals(false, new RefPattern(pattern).matches(new GitRef(ref)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"main", "heads/main", "refs/heads/a..b", "refs/heads/", "refs//heads", "refs/heads/x y", ""})
    void aPatternThatIsNotAFullRefIsRefused(String pattern) {
        assertThrows(IllegalArgumentException.class, () -> new RefPattern(pattern));
    }
}
