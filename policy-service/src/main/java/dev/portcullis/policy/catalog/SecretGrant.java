package dev.portcullis.policy.catalog;

import static java.util.Objects.requireNonNull;

import java.util.regex.Pattern;

/**
 * A secret a run may read, by reference: a Vault KV v2 path or a Vault AWS secrets engine role.
 * Written in the catalog as {@code kv:secret/data/prod/app} or {@code aws:aws/creds/deploy-prod}.
 */
public record SecretGrant(Kind kind, String path) {
    private static final Pattern PATH = Pattern.compile("[A-Za-z0-9_-]+(/[A-Za-z0-9._-]+)*");

    /** The kind of secret source. */
    public enum Kind { KV, AWS }

    public SecretGrant {
        requireNonNull(kind, "kind is null");
        requireNonNull(path, "path is null");
        if (path.length() > 512 || !PATH.matcher(path).matches() || path.contains("..")) {
            throw new IllegalArgumentException("secret path must be 1-512 characters of letters, digits, '.', '_', '-' in '/'-separated segments, without '..'");
        }
    }

    /** Parses {@code kv:PATH} or {@code aws:PATH}. */
    public static SecretGrant parse(String text) {
        int colon = text.indexOf(':');
        String prefix = colon < 0 ? "" : text.substring(0, colon);
        Kind kind = switch (prefix) {
            case "kv" -> Kind.KV;
            case "aws" -> Kind.AWS;
            default -> throw new IllegalArgumentException("secret must be written kv:PATH or aws:PATH");
        };
        return new SecretGrant(kind, text.substring(colon + 1));
    }

    @Override
    public String toString() {
        return kind.name().toLowerCase() + ":" + path;
    }
}
