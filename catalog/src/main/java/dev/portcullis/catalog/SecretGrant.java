package dev.portcullis.catalog;

import static java.util.Objects.requireNonNull;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * What a task may read, by reference: a Vault KV v2 secret or a dynamic AWS credential role.
 * Written as the catalog writes it: {@code kv:secret/data/prod/app} (the KV v2 API path, mount
 * first) or {@code aws:aws/creds/deploy-prod} (an AWS secrets engine role). The path is a
 * reference, never a value, so it may appear in messages and logs.
 *
 * @param kind where the secret comes from
 * @param path the Vault API path without {@code /v1/}: 1-512 characters of letters, digits,
 *     {@code .}, {@code _} and {@code -} in {@code /}-separated segments, no {@code .} or
 *     {@code ..} segment
 */
public record SecretGrant(Kind kind, String path) {
    // the catalog's rule, plus no "." segment: Vault and HTTP stacks may normalise it away
    private static final Pattern PATH = Pattern.compile("[A-Za-z0-9_-]+(/[A-Za-z0-9._-]+)*");

    /** The kind of secret source. */
    public enum Kind {
        /** A Vault KV version 2 secret; each of its keys becomes an environment variable. */
        KV,
        /** A Vault AWS secrets engine role; yields short-lived credentials whose lease is revoked at task end. */
        AWS
    }

    public SecretGrant {
        requireNonNull(kind, "kind is null");
        requireNonNull(path, "path is null");
        if (path.length() > 512 || !PATH.matcher(path).matches() || path.contains("..") || path.contains("/./")
                || path.endsWith("/.")) {
            throw new IllegalArgumentException("secret path must be 1-512 characters of letters, digits, '.', '_', '-'"
                    + " in '/'-separated segments, without '.' or '..' segments");
        }
    }

    /** Parses {@code kv:PATH} or {@code aws:PATH}; throws IllegalArgumentException otherwise. */
    public static SecretGrant parse(String text) {
        int colon = requireNonNull(text, "text is null").indexOf(':');
        String prefix = colon < 0 ? "" : text.substring(0, colon);
        Kind kind = switch (prefix) {
            case "kv" -> Kind.KV;
            case "aws" -> Kind.AWS;
            default -> throw new IllegalArgumentException("secret must be written kv:PATH or aws:PATH");
        };
        return new SecretGrant(kind, text.substring(colon + 1));
    }

    /** {@code kv:PATH} or {@code aws:PATH}, as the catalog writes it. */
    @Override
    public String toString() {
        return kind.name().toLowerCase(Locale.ROOT) + ":" + path;
    }
}
