package dev.portcullis.audit.catalog;

import java.util.List;
import java.util.regex.Pattern;

/**
 * Ref patterns as the catalog writes them: {@code *} matches within one ref component,
 * {@code **} across components, everything else literally. Immutable.
 */
public final class RefPatterns {
    private final List<String> patterns;
    private final List<Pattern> compiled;

    public RefPatterns(List<String> patterns) {
        this.patterns = List.copyOf(patterns);
        this.compiled = this.patterns.stream().map(RefPatterns::compile).toList();
    }

    /** True when {@code ref} (e.g. {@code refs/heads/main}) matches one of the patterns. */
    public boolean matches(String ref) {
        return compiled.stream().anyMatch(pattern -> pattern.matcher(ref).matches());
    }

    /** The patterns as written. */
    public List<String> patterns() {
        return patterns;
    }

    /** These patterns and {@code other}'s. */
    public RefPatterns and(RefPatterns other) {
        List<String> all = new java.util.ArrayList<>(patterns);
        all.addAll(other.patterns);
        return new RefPatterns(all);
    }

    private static Pattern compile(String pattern) {
        StringBuilder regex = new StringBuilder();
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c == '*' && i + 1 < pattern.length() && pattern.charAt(i + 1) == '*') {
                regex.append(".*");
                i++;
            } else if (c == '*') {
                regex.append("[^/]*");
            } else {
                regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(regex.toString());
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof RefPatterns refs && refs.patterns.equals(patterns);
    }

    @Override
    public int hashCode() {
        return patterns.hashCode();
    }

    @Override
    public String toString() {
        return patterns.toString();
    }
}
