package dev.portcullis.executor.repo;

import static java.util.Objects.requireNonNull;

import java.util.Arrays;
import java.util.Locale;
import org.eclipse.jgit.transport.CredentialItem;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.URIish;

/**
 * The executor's read-only token as JGit asks for it: a user name and a password, answered only
 * for the https origin (scheme, host and port) of the repository it was read for, so a redirect
 * to another host or to plain http never receives it. Never interactive; answers nothing else
 * (in particular not JGit's "trust this certificate anyway?" question, so an untrusted
 * certificate stays a failure). The token is a char array zeroed by {@link #clear()}, never a
 * URL, and {@link #toString()} does not show it. Used by one resolution at a time.
 */
final class TokenCredentials extends CredentialsProvider {
    private final String username;
    private final char[] token;
    private final String origin;

    /**
     * @param username the user name sent with the token
     * @param token the token's characters; this object owns the array from now on and zeroes it on {@link #clear()}
     * @param repository the https repository the token is offered to
     */
    TokenCredentials(String username, char[] token, URIish repository) {
        this.username = requireNonNull(username, "username is null");
        this.token = requireNonNull(token, "token is null");
        this.origin = origin(requireNonNull(repository, "repository is null"));
        if (!origin.startsWith("https://")) {
            throw new IllegalArgumentException("the token is offered to https repositories only");
        }
    }

    @Override
    public boolean isInteractive() {
        return false;
    }

    @Override
    public boolean supports(CredentialItem... items) {
        return Arrays.stream(items).allMatch(item -> item instanceof CredentialItem.Username
                || item instanceof CredentialItem.Password);
    }

    @Override
    public boolean get(URIish uri, CredentialItem... items) {
        if (!origin.equals(origin(uri)) || !supports(items)) {
            return false;
        }
        for (CredentialItem item : items) {
            if (item instanceof CredentialItem.Username name) {
                name.setValue(username);
            } else if (item instanceof CredentialItem.Password password) {
                password.setValue(token); // copies: ours is zeroed by clear(), JGit's copy lives as long as the transport
            }
        }
        return true;
    }

    /** Zeroes the token: called once the resolution that read it is over. */
    void clear() {
        Arrays.fill(token, '\0');
    }

    /** scheme://host:port, lower case, the port explicit: what a redirect must not change. */
    private static String origin(URIish uri) {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
        int port = uri.getPort() > 0 ? uri.getPort() : "https".equals(scheme) ? 443 : uri.getPort();
        return scheme + "://" + host + ":" + port;
    }

    @Override
    public String toString() {
        return "TokenCredentials[username=" + username + ", origin=" + origin + ", token=redacted]";
    }
}
