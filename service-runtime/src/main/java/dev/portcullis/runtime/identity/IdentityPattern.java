package dev.portcullis.runtime.identity;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * A pattern over SPIFFE IDs, written like one: the trust domain must match exactly; in the
 * path, {@code *} matches exactly one segment and a final {@code **} matches one or more
 * segments. {@code spiffe://example.org/ci/**} matches every CI identity of that trust domain.
 */
public record IdentityPattern(String value) {

    public IdentityPattern {
        requireNonNull(value, "value is null");
        int pathStart = value.indexOf('/', "spiffe://".length());
        if (value.substring(0, pathStart < 0 ? value.length() : pathStart).contains("*")) {
            // a wildcard trust domain would widen a role across trust boundaries: never allowed
            throw new IllegalArgumentException(
                    "not an identity pattern (" + value + "): the trust domain must be written out, without '*'");
        }
        String literal = value.replace("**", "x").replace("*", "x");
        SpiffeId.problemWith(literal).ifPresent(problem -> {
            throw new IllegalArgumentException("not an identity pattern (" + value + "): " + problem);
        });
        List<String> segments = new SpiffeId(literal).segments();
        String[] raw = rawSegments(value);
        for (int i = 0; i < raw.length; i++) {
            boolean wildcard = raw[i].equals("*") || raw[i].equals("**");
            if (!wildcard && raw[i].contains("*")) {
                throw new IllegalArgumentException(
                        "not an identity pattern (" + value + "): '*' must be a whole path segment");
            }
            if (raw[i].equals("**") && i != raw.length - 1) {
                throw new IllegalArgumentException(
                        "not an identity pattern (" + value + "): '**' is allowed only as the last segment");
            }
        }
        if (segments.size() != raw.length) {
            throw new IllegalArgumentException("not an identity pattern: " + value);
        }
    }

    /** True when {@code id} matches this pattern. */
    public boolean matches(SpiffeId id) {
        String literal = value.replace("**", "x").replace("*", "x");
        if (!new SpiffeId(literal).trustDomain().equals(id.trustDomain())) {
            return false;
        }
        String[] pattern = rawSegments(value);
        List<String> actual = id.segments();
        for (int i = 0; i < pattern.length; i++) {
            if (pattern[i].equals("**")) {
                return actual.size() > i;
            }
            if (i >= actual.size()) {
                return false;
            }
            if (!pattern[i].equals("*") && !pattern[i].equals(actual.get(i))) {
                return false;
            }
        }
        return pattern.length == actual.size();
    }

    private static String[] rawSegments(String pattern) {
        int slash = pattern.indexOf('/', "spiffe://".length());
        return pattern.substring(slash + 1).split("/", -1);
    }

    @Override
    public String toString() {
        return value;
    }
}
