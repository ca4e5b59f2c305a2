package dev.portcullis.executor.repo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.eclipse.jgit.transport.CredentialItem;
import org.eclipse.jgit.transport.URIish;
import org.junit.jupiter.api.Test;

/** The token answers JGit only for the https origin it was read for, and never shows itself. */
class TokenCredentialsTest {
    private static final String TOKEN = "tok-secret";

    @Test
    void theTokenAnswersTheRepositorysOwnOrigin() throws Exception {
        TokenCredentials credentials = credentials("https://git.example/org/repo.git");
        CredentialItem.Username user = new CredentialItem.Username();
        CredentialItem.Password password = new CredentialItem.Password();

        boolean answered = credentials.get(new URIish("https://GIT.example:443/org/other.git"), user, password);

        assertTrue(answered);
        assertEquals("x-access-token", user.getValue());
        assertArrayEquals(TOKEN.toCharArray(), password.getValue());
    }

    @Test
    void aRedirectToAnotherHostPortOrToPlainHttpGetsNoToken() throws Exception {
        TokenCredentials credentials = credentials("https://git.example/org/repo.git");

        for (String elsewhere : new String[] {"https://evil.example/org/repo.git", "https://git.example:8443/org/repo.git",
                "http://git.example/org/repo.git"}) {
            CredentialItem.Password password = new CredentialItem.Password();

            assertFalse(credentials.get(new URIish(elsewhere), new CredentialItem.Username(), password), elsewhere);
            assertEquals(null, password.getValue());
        }
    }

    @Test
    void noOtherQuestionIsAnsweredSoAnUntrustedCertificateStaysRefused() throws Exception {
        TokenCredentials credentials = credentials("https://git.example/org/repo.git");

        assertFalse(credentials.supports(new CredentialItem.YesNoType("Trust this certificate?")));
        assertFalse(credentials.isInteractive());
    }

    @Test
    void theTokenIsOfferedToHttpsRepositoriesOnlyAndNeverPrinted() throws Exception {
        assertThrows(IllegalArgumentException.class, () -> credentials("file:///srv/repo.git"));
        TokenCredentials credentials = credentials("https://git.example/org/repo.git");

        assertFalse(credentials.toString().contains(TOKEN), credentials.toString());
    }

    @Test
    void clearingZeroesTheToken() throws Exception {
        char[] token = TOKEN.toCharArray();
        TokenCredentials credentials = new TokenCredentials("x-access-token", token, new URIish("https://git.example/r.git"));

        credentials.clear();

        assertArrayEquals(new char[TOKEN.length()], token);
    }

    private static TokenCredentials credentials(String url) throws Exception {
        return new TokenCredentials("x-access-token", TOKEN.toCharArray(), new URIish(url));
    }
}
