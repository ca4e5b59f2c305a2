package dev.portcullis.runtime.identity;

import static java.util.Objects.requireNonNull;

import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The verified claims of a caller's OIDC identity token as catalog {@code when} conditions read
 * them ({@code request.claims}): at most {@value #MAX_ENTRIES} entries, each key 1 to
 * {@value #MAX_KEY_LENGTH} characters of {@code a-z}, {@code 0-9} and {@code _}, each value at most
 * {@value #MAX_VALUE_LENGTH} characters without control characters. Empty for a caller that
 * authenticated with a client certificate. The bounds keep what the gateway sends the policy
 * service, and stores with each run, small; claims are not secret (the audit record carries
 * them), but the token itself never appears here. Immutable.
 *
 * @param values the claims by name
 */
public record TokenClaims(Map<String, String> values) {
    /** The most claims kept. GitHub's tokens carry about 30, GitLab's about 25. */
    public static final int MAX_ENTRIES = 64;
    public static final int MAX_KEY_LENGTH = 64;
    public static final int MAX_VALUE_LENGTH = 512;
    /** A caller without a token: every condition on a claim fails closed. */
    public static final TokenClaims NONE = new TokenClaims(Map.of());

    private static final Pattern KEY = Pattern.compile("[a-z0-9_]{1," + MAX_KEY_LENGTH + "}");

    public TokenClaims {
        values = Map.copyOf(requireNonNull(values, "values is null"));
        if (values.size() > MAX_ENTRIES) {
            throw new IllegalArgumentException("at most " + MAX_ENTRIES + " claims");
        }
        values.forEach((key, value) -> {
            checkName(key);
            checkValue(value);
        });
    }

    /**
     * The claims of a verified token that fit the bounds, for {@code request.claims}: a claim whose
     * name or value does not fit is left out (a condition reading it then fails closed, as for a
     * claim the token lacks), and of more than {@value #MAX_ENTRIES} the first in name order are kept.
     */
    public static TokenClaims fitting(Map<String, String> verified) {
        Map<String, String> kept = new TreeMap<>();
        new TreeMap<>(requireNonNull(verified, "verified is null")).forEach((key, value) -> {
            if (kept.size() < MAX_ENTRIES && fits(key, value)) {
                kept.put(key, value);
            }
        });
        return new TokenClaims(kept);
    }

    /**
     * Checks a claim's name.
     *
     * @throws IllegalArgumentException naming the rule, never the name
     */
    public static String checkName(String key) {
        if (!isName(key)) {
            throw new IllegalArgumentException("a claim name must be 1-" + MAX_KEY_LENGTH + " characters of a-z, 0-9, '_'");
        }
        return key;
    }

    /** Whether {@code key} is a usable claim name. */
    public static boolean isName(String key) {
        return KEY.matcher(requireNonNull(key, "key is null")).matches();
    }

    /**
     * Checks a claim's value.
     *
     * @throws IllegalArgumentException naming the rule, never the value
     */
    public static String checkValue(String value) {
        requireNonNull(value, "value is null");
        if (value.length() > MAX_VALUE_LENGTH) {
            throw new IllegalArgumentException("a claim value must be at most " + MAX_VALUE_LENGTH + " characters");
        }
        // they reach decision messages through a condition's error and then terminals and logs
        if (value.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException("a claim value must not contain control characters");
        }
        return value;
    }

    /** Whether there are no claims: a caller with a client certificate. */
    public boolean isEmpty() {
        return values.isEmpty();
    }

    private static boolean fits(String key, String value) {
        if (!isName(key)) {
            return false;
        }
        try {
            checkValue(value);
            return true;
        } catch (IllegalArgumentException outside) {
            return false;
        }
    }
}
