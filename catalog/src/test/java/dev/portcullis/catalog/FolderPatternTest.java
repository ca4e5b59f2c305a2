package dev.portcullis.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.portcullis.runtime.request.RepoFolder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class FolderPatternTest {

    @ParameterizedTest(name = "{0} ~ {1} -> {2}")
    @CsvSource(delimiter = '|', textBlock = """
            prod/**      | prod             | true
            prod/**      | prod/net/vpc     | true
            prod/**      | production       | false
            prod/*       | prod/net         | true
            prod/*       | prod             | false
            prod/*       | prod/net/vpc     | false
            **           | .                | true
            **           | stage/app        | true
            */app        | stage/app        | true
            """)
    void segmentsMatchWholeAndDoubleStarMatchesZeroOrMore(String pattern, String folder, boolean matches) {
        assertEquals(matches, new FolderPattern(pattern).matches(RepoFolder.parse(folder)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"prod*", "p*d/x", "../prod", "prod/../x", "prod//x", "/prod", "prod/"})
    void aPatternWithPartialWildcardsOrThatIsNotNormalisedIsRefused(String pattern) {
        assertThrows(IllegalArgumentException.class, () -> new FolderPattern(pattern));
    }
}
