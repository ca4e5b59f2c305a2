package dev.portcullis.catalog;

import static java.util.Objects.requireNonNull;

import dev.portcullis.runtime.request.GitRef;

/**
 * A pattern over full git refs: {@code *} matches one or more characters within one component
 * (no '/'), {@code **} matches one or more characters across components. {@code refs/heads/*}
 * matches {@code refs/heads/main} but not {@code refs/heads/feature/x}. Immutable.
 */
public final class RefPattern {
    private final String value;

    /** @throws IllegalArgumentException when the pattern, wildcards aside, is not a valid full ref */
    public RefPattern(String value) {
        this.value = requireNonNull(value, "value is null");
        new GitRef(value.replace("**", "x").replace("*", "x"));
    }

    /** True when {@code ref} matches. */
    public boolean matches(GitRef ref) {
        return matches(value, 0, ref.value(), 0);
    }

    // a small backtracking glob matcher: refs are short and patterns have few wildcards
    private static boolean matches(String pattern, int p, String text, int t) {
        while (p < pattern.length()) {
            char c = pattern.charAt(p);
            if (c == '*') {
                boolean crossesComponents = p + 1 < pattern.length() && pattern.charAt(p + 1) == '*';
                int rest = crossesComponents ? p + 2 : p + 1;
                // at least one character, then try every split
                for (int end = t + 1; end <= text.length(); end++) {
                    if (!crossesComponents && text.charAt(end - 1) == '/') {
                        return false;
                    }
                    if (matches(pattern, rest, text, end)) {
                        return true;
                    }
                }
                return false;
            }
            if (t >= text.length() || text.charAt(t) != c) {
                return false;
            }
            p++;
            t++;
        }
        return t == text.length();
    }

    public String value() {
        return value;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof RefPattern pattern && pattern.value.equals(value);
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
