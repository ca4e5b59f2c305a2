package dev.portcullis.audit.source;

import static java.util.Objects.requireNonNull;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The configured name of an outside source, e.g. {@code github-acme}: 1-48 lowercase letters,
 * digits and dashes, starting with a letter or digit. Deliveries go to {@code /sources/NAME};
 * its events are written by service {@code source:NAME}.
 */
public record SourceName(String value) {
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,47}");

    public SourceName {
        if (!NAME.matcher(requireNonNull(value, "value is null")).matches()) {
            throw new IllegalArgumentException("a source name must be 1-48 lowercase letters, digits or dashes");
        }
    }

    /** The name {@code text} spells, if it is a well-formed one. */
    public static Optional<SourceName> parse(String text) {
        return text != null && NAME.matcher(text).matches() ? Optional.of(new SourceName(text)) : Optional.empty();
    }

    /** The service name its events carry: {@code source:NAME}, never one of the suite's own. */
    public String service() {
        return "source:" + value;
    }

    @Override
    public String toString() {
        return value;
    }
}
