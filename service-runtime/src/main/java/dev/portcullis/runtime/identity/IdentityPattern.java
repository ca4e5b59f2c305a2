package dev.portcullis.runtime.identity;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * A pattern over SPIFFE IDs, written like one: the trust domain must match exactly (no
 * wildcards there); in the path, {@code *} matches exactly one segment and a final {@code **}
 * matches one or more segments. {@code spiffe://example.org/ci/**} matches every CI identity of
 * that trust domain. Immutable; parsed once, so matching is cheap.
 */
public final class IdentityPattern {
    private final String value;
    private final String trustDomain;
    private final List<String> segments;

    /** @throws IllegalArgumentException naming the problem */
    public IdentityPattern(String value) {
        this.value = requireNonNull(value, "value is null");
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
        this.trustDomain = new SpiffeId(literal).trustDomain();
        this.segments = List.of(value.substring(pathStart + 1).split("/", -1));
        for (int i = 0; i < segments.size(); i++) {
            String segment = segments.get(i);
            boolean wildcard = segment.equals("*") || segment.equals("**");
            if (!wildcard && segment.contains("*")) {
                throw new IllegalArgumentException(
                        "not an identity pattern (" + value + "): '*' must be a whole path segment");
            }
            if (segment.equals("**") && i != segments.size() - 1) {
                throw new IllegalArgumentException(
                        "not an identity pattern (" + value + "): '**' is allowed only as the last segment");
            }
        }
    }

    /** True when {@code id} matches this pattern. */
    public boolean matches(SpiffeId id) {
        return matches(id.trustDomain(), id.segments());
    }

    /** True when the ID with this trust domain and path segments matches (split once, match many). */
    public boolean matches(String idTrustDomain, List<String> actual) {
        if (!trustDomain.equals(idTrustDomain)) {
            return false;
        }
        for (int i = 0; i < segments.size(); i++) {
            String segment = segments.get(i);
            if (segment.equals("**")) {
                return actual.size() > i;
            }
            if (i >= actual.size() || (!segment.equals("*") && !segment.equals(actual.get(i)))) {
                return false;
            }
        }
        return segments.size() == actual.size();
    }

    /** The pattern as written. */
    public String value() {
        return value;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof IdentityPattern pattern && pattern.value.equals(value);
    }

    @Override
    public int hashCode() {
        return value.hashCode();
    }

    @Override
    public String toString() {
        return value;
    }
}
