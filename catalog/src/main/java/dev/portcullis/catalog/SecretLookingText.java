package dev.portcullis.catalog;

import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Recognises text that looks like a credential, so that a catalog's {@code env:} never carries
 * one: secrets reach a run through {@code secrets:} grants, read from Vault at run time, and the
 * catalog is a reviewed file that services hand out whole ({@code GetCatalog}).
 *
 * <p>The shapes follow the executor's redactor ({@code CredentialPatterns}, which masks them in
 * task output); they are repeated here because the catalog module cannot depend on a service.
 */
final class SecretLookingText {
    private record Shape(String kind, Pattern pattern) {}

    private static final List<Shape> SHAPES = List.of(
            new Shape("an AWS access key id", Pattern.compile("A[KS]IA[A-Z0-9]{16}")),
            new Shape("a PEM block", Pattern.compile("-----BEGIN")),
            new Shape("a GitHub token", Pattern.compile("gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}")),
            new Shape("a Slack token", Pattern.compile("xox[abprs]-[A-Za-z0-9-]{8,}")),
            new Shape("a Vault token", Pattern.compile("hv[sbr]\\.[A-Za-z0-9_-]{20,}")),
            new Shape("a JWT", Pattern.compile("eyJ[A-Za-z0-9_-]{5,}\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]*")));
    /** A run of base64 (or base64url) characters long enough to be a key. */
    private static final Pattern LONG_TOKEN = Pattern.compile("[A-Za-z0-9+/=_-]{32,}");
    /**
     * Bits per character above which a long token is taken for random: keys and tokens come near
     * 5 and more, words, paths and hostnames stay below 4.
     */
    private static final double RANDOM_BITS_PER_CHAR = 4.0;

    private SecretLookingText() {}

    /** What {@code text} looks like, when it looks like a credential. */
    static Optional<String> kind(String text) {
        for (Shape shape : SHAPES) {
            if (shape.pattern().matcher(text).find()) {
                return Optional.of(shape.kind());
            }
        }
        Matcher token = LONG_TOKEN.matcher(text);
        while (token.find()) {
            if (looksRandom(token.group())) {
                return Optional.of("a long random-looking token");
            }
        }
        return Optional.empty();
    }

    private static boolean looksRandom(String token) {
        boolean upper = token.chars().anyMatch(c -> c >= 'A' && c <= 'Z');
        boolean lower = token.chars().anyMatch(c -> c >= 'a' && c <= 'z');
        boolean digit = token.chars().anyMatch(c -> c >= '0' && c <= '9');
        return upper && lower && digit && bitsPerChar(token) >= RANDOM_BITS_PER_CHAR;
    }

    private static double bitsPerChar(String token) {
        int[] counts = new int[128];
        token.chars().forEach(c -> counts[c]++);
        double bits = 0;
        for (int count : counts) {
            if (count > 0) {
                double p = (double) count / token.length();
                bits -= p * Math.log(p) / Math.log(2);
            }
        }
        return bits;
    }
}
