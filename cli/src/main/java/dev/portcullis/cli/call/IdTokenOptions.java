package dev.portcullis.cli.call;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * How a CI job proves who it is with an OIDC identity token instead of (or besides) a client
 * certificate (docs/cli.md, docs/oidc.md): a file ({@code --id-token-file}), the
 * {@code PORTCULLIS_ID_TOKEN} variable (GitLab CI's {@code id_tokens:}), or, inside GitHub Actions,
 * a token fetched for {@code --id-token-audience}. The token is never printed.
 */
public final class IdTokenOptions {
    public static final String FILE_VARIABLE = "PORTCULLIS_ID_TOKEN_FILE";
    public static final String TOKEN_VARIABLE = "PORTCULLIS_ID_TOKEN";
    public static final String AUDIENCE_VARIABLE = "PORTCULLIS_ID_TOKEN_AUDIENCE";
    private static final Duration FETCH_TIMEOUT = Duration.ofSeconds(10);

    @Option(names = "--id-token-file", defaultValue = "${env:PORTCULLIS_ID_TOKEN_FILE}", paramLabel = "FILE",
            description = "A file holding the CI job's OIDC identity token (JWT), sent as a bearer token; the"
                    + " certificate and key then become optional (default: $PORTCULLIS_ID_TOKEN_FILE, else the token in"
                    + " $PORTCULLIS_ID_TOKEN).")
    String file;

    @Option(names = "--id-token-audience", defaultValue = "${env:PORTCULLIS_ID_TOKEN_AUDIENCE}", paramLabel = "AUD",
            description = "Inside GitHub Actions: fetch the job's identity token for this audience, the one the"
                    + " gateway's OIDC issuer expects (default: $PORTCULLIS_ID_TOKEN_AUDIENCE).")
    String audience;

    /** The token to send, read from the process environment where an option is not given. */
    public Optional<IdToken> token() {
        return token(System.getenv(), new GitHubActionsIdTokens(FETCH_TIMEOUT));
    }

    /**
     * The token to send: from {@code --id-token-file}, else {@code PORTCULLIS_ID_TOKEN}, else
     * fetched from GitHub Actions when an audience is given; empty when none of these is.
     *
     * @throws IllegalStateException naming the file or variable that does not yield a token
     */
    Optional<IdToken> token(Map<String, String> environment, GitHubActionsIdTokens github) {
        if (isSet(file)) {
            Path path = Path.of(file);
            // the job's runner may write a fresh token to the file while a long command waits
            return Optional.of(IdToken.read(path, "--id-token-file").renewedBy(() -> IdToken.read(path, "--id-token-file")));
        }
        String inline = environment.get(TOKEN_VARIABLE);
        if (inline != null) {
            return Optional.of(IdToken.of(inline, TOKEN_VARIABLE));
        }
        if (isSet(audience)) {
            String url = environment.get(GitHubActionsIdTokens.URL_VARIABLE);
            String requestToken = environment.get(GitHubActionsIdTokens.TOKEN_VARIABLE);
            if (!isSet(url) || !isSet(requestToken)) {
                throw new IllegalStateException("--id-token-audience fetches the token from GitHub Actions, but "
                        + GitHubActionsIdTokens.URL_VARIABLE + " and " + GitHubActionsIdTokens.TOKEN_VARIABLE + " are not"
                        + " both set: grant the job `permissions: id-token: write`, or outside GitHub Actions give"
                        + " --id-token-file or " + TOKEN_VARIABLE);
            }
            return Optional.of(github.fetch(url, requestToken, audience)
                    .renewedBy(() -> github.fetch(url, requestToken, audience)));
        }
        return Optional.empty();
    }

    private static boolean isSet(String value) {
        return value != null && !value.isBlank();
    }
}
