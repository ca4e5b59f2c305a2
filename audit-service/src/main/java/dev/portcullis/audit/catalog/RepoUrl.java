package dev.portcullis.audit.catalog;

import static java.util.Objects.requireNonNull;

import java.util.Locale;

/**
 * A repository's location with the spelling differences taken out, so that the URL a catalog
 * names and the URLs a forge puts in its webhooks compare equal: scheme, user, {@code .git}
 * suffix, trailing slashes and letter case are dropped, and the SSH form {@code git@host:path}
 * becomes {@code host/path}. {@code https://github.com/Acme/infra-live.git} and
 * {@code git@github.com:acme/infra-live} are both {@code github.com/acme/infra-live}.
 *
 * @param value the normalised form, never empty
 */
public record RepoUrl(String value) {
    public static final int MAX_LENGTH = 512;

    public RepoUrl {
        requireNonNull(value, "value is null");
        if (value.isEmpty() || value.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("repository URL must be 1-" + MAX_LENGTH + " characters");
        }
    }

    /**
     * The normalised form of {@code url}.
     *
     * @throws IllegalArgumentException when nothing of a location is left
     */
    public static RepoUrl of(String url) {
        String text = requireNonNull(url, "url is null").strip().toLowerCase(Locale.ROOT);
        int scheme = text.indexOf("://");
        if (scheme >= 0) {
            text = text.substring(scheme + 3);
        } else if (text.matches("[^/@:]+@[^/:]+:.*")) {
            // scp-like SSH syntax: user@host:path
            text = text.substring(text.indexOf('@') + 1).replaceFirst(":", "/");
        }
        int slash = text.indexOf('/');
        int at = text.lastIndexOf('@', slash < 0 ? text.length() : slash);
        if (at >= 0) {
            text = text.substring(at + 1); // user info
        }
        while (text.endsWith("/")) {
            text = text.substring(0, text.length() - 1);
        }
        if (text.endsWith(".git")) {
            text = text.substring(0, text.length() - 4);
        }
        return new RepoUrl(text);
    }

    @Override
    public String toString() {
        return value;
    }
}
