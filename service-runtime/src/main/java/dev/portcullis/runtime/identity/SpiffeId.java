package dev.portcullis.runtime.identity;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A SPIFFE ID ({@code spiffe://trust-domain/path}), validated to the SPIFFE specification: a
 * lowercase trust domain, a non-empty path of segments made of letters, digits, '.', '-' and
 * '_', no empty, "." or ".." segments, no query or fragment, at most 2048 characters.
 */
public record SpiffeId(String value) {
    private static final String SCHEME = "spiffe://";
    private static final int MAX_LENGTH = 2048;
    private static final Pattern TRUST_DOMAIN = Pattern.compile("[a-z0-9._-]{1,255}");
    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9._-]+");

    public SpiffeId {
        requireNonNull(value, "value is null");
        problemWith(value).ifPresent(problem -> {
            throw new IllegalArgumentException("not a SPIFFE ID: " + problem);
        });
    }

    /** Parses {@code text}; throws {@link IllegalArgumentException} naming the problem. */
    public static SpiffeId parse(String text) {
        return new SpiffeId(text);
    }

    /** The trust domain, e.g. {@code example.org}. */
    public String trustDomain() {
        int end = value.indexOf('/', SCHEME.length());
        return value.substring(SCHEME.length(), end);
    }

    /** The path segments after the trust domain, e.g. {@code [ci, github, acme]}. */
    public List<String> segments() {
        int start = value.indexOf('/', SCHEME.length()) + 1;
        return List.of(value.substring(start).split("/", -1));
    }

    @Override
    public String toString() {
        return value;
    }

    /** Why {@code text} is not a SPIFFE ID, in plain words, or empty when it is one. */
    static Optional<String> problemWith(String text) {
        if (text.length() > MAX_LENGTH) {
            return Optional.of("longer than " + MAX_LENGTH + " characters");
        }
        if (!text.startsWith(SCHEME)) {
            return Optional.of("scheme must be spiffe://");
        }
        if (text.indexOf('?') >= 0 || text.indexOf('#') >= 0) {
            return Optional.of("query and fragment are not allowed");
        }
        int slash = text.indexOf('/', SCHEME.length());
        String domain = slash < 0 ? text.substring(SCHEME.length()) : text.substring(SCHEME.length(), slash);
        if (!TRUST_DOMAIN.matcher(domain).matches()) {
            return Optional.of("trust domain must be 1-255 characters of a-z, 0-9, '.', '-', '_'");
        }
        if (slash < 0 || slash == text.length() - 1) {
            return Optional.of("a workload path is required");
        }
        for (String segment : text.substring(slash + 1).split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                return Optional.of("path segments must not be empty, '.' or '..'");
            }
            if (!SEGMENT.matcher(segment).matches()) {
                return Optional.of("path segments may hold only A-Z, a-z, 0-9, '.', '-', '_'");
            }
        }
        return Optional.empty();
    }
}
