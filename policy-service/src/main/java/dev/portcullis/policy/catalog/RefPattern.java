package dev.portcullis.policy.catalog;

import static java.util.Objects.requireNonNull;

import dev.portcullis.runtime.request.GitRef;
import java.util.regex.Pattern;

/**
 * A pattern over full git refs: {@code *} matches within one component (no '/'), {@code **}
 * matches across components. {@code refs/heads/*} matches {@code refs/heads/main} but not
 * {@code refs/heads/feature/x}. Immutable.
 */
public final class RefPattern {
    private final String value;
    private final Pattern regex;

    /** @throws IllegalArgumentException when the pattern, wildcards aside, is not a valid full ref */
    public RefPattern(String value) {
        this.value = requireNonNull(value, "value is null");
        new GitRef(value.replace("**", "x").replace("*", "x"));
        StringBuilder regex = new StringBuilder();
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '*' && i + 1 < value.length() && value.charAt(i + 1) == '*') {
                regex.append(".+");
                i++;
            } else if (c == '*') {
                regex.append("[^/]+");
            } else {
                regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        this.regex = Pattern.compile(regex.toString());
    }

    /** True when {@code ref} matches. */
    public boolean matches(GitRef ref) {
        return regex.matcher(ref.value()).matches();
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
