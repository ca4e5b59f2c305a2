package dev.portcullis.executor.repo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.runtime.testing.ConfigBinding;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GitConfigTest {
    private static final String P = "portcullis.executor.git.";

    @Test
    void anEmptyEnvironmentGivesNoCredentialAndTheDefaultUserName() {
        GitConfig config = ConfigBinding.bind(GitConfig.class, Map.of());

        assertEquals(new GitConfig("x-access-token", null, null), config);
    }

    @Test
    void everyKeyBinds() {
        GitConfig config = ConfigBinding.bind(GitConfig.class, Map.of(P + "username", "oauth2",
                P + "token-file", "/var/run/portcullis/repo-git/token", P + "ca-file", "/etc/portcullis/git-ca.pem"));

        assertEquals(new GitConfig("oauth2", Path.of("/var/run/portcullis/repo-git/token"),
                Path.of("/etc/portcullis/git-ca.pem")), config);
    }

    @Test
    void aRelativeTokenFileStopsStartupNamingTheKey() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new GitConfig("x-access-token", Path.of("token"), null));

        assertTrue(e.getMessage().contains(P + "token-file"), e.getMessage());
    }

    @Test
    void aUserNameThatCouldBreakTheAskpassAnswerStopsStartup() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new GitConfig("user name", null, null));

        assertTrue(e.getMessage().contains(P + "username"), e.getMessage());
    }
}
