package dev.portcullis.executor.repo;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.bind.annotation.Bindable;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * How the executor itself reaches repositories over HTTPS ({@code ResolveRef}, in-process with
 * JGit, and the local backend's git clones): the same read-only credential the ECS runner clones
 * with. Holds the path of the token file, never the token. Every key is documented in
 * docs/configuration.md.
 *
 * @param username the user name git sends with the token ({@code x-access-token} suits GitHub
 *     App and fine-grained tokens; GitLab accepts any name with a project or deploy token)
 * @param tokenFile a file holding the token (a mounted secret), read again for every resolution so
 *     a rotated token is used without a restart; unset means no credential: a repository that asks
 *     for one refuses the executor ({@code REPOSITORY_UNAUTHENTICATED})
 * @param caFile a PEM bundle of the CAs an HTTPS git host's certificate chains to, trusted by
 *     {@code ResolveRef} besides the JDK's CAs (and by the local backend's git instead of the
 *     system's); unset means the system's CAs
 */
@ConfigurationProperties("portcullis.executor.git")
public record GitConfig(
        @Bindable(defaultValue = "x-access-token") String username,
        @Nullable Path tokenFile,
        @Nullable Path caFile) {

    private static final String PREFIX = "portcullis.executor.git.";
    // it reaches the local backend's git through askpass, one line: nothing that could end the line or
    // the prompt's answer early (and it goes into a Basic credential, where a ':' would end it)
    private static final Pattern USERNAME = Pattern.compile("[A-Za-z0-9._@+-]{1,256}");

    public GitConfig {
        if (username == null || !USERNAME.matcher(username).matches()) {
            throw new IllegalArgumentException(PREFIX + "username must be 1-256 letters, digits, '.', '_', '@', '+' or '-'");
        }
        if (tokenFile != null && !tokenFile.isAbsolute()) {
            throw new IllegalArgumentException(PREFIX + "token-file must be an absolute path (a mounted secret file)");
        }
        if (caFile != null && !caFile.isAbsolute()) {
            throw new IllegalArgumentException(PREFIX + "ca-file must be an absolute path");
        }
    }

    /** The token file, when a credential is configured. */
    public Optional<Path> token() {
        return Optional.ofNullable(tokenFile);
    }

    /** The CA bundle for HTTPS git hosts, when one is configured. */
    public Optional<Path> cas() {
        return Optional.ofNullable(caFile);
    }
}
