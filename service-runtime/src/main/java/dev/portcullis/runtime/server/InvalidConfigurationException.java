package dev.portcullis.runtime.server;

import static java.util.Objects.requireNonNull;

import jakarta.validation.ConstraintViolation;
import jakarta.validation.ConstraintViolationException;
import java.util.Comparator;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A configuration value that breaks a constraint of its record, with the full key it was bound
 * from ({@code portcullis.audit.sources.feeds.github.max-silence}, not {@code maxSilence}).
 * The message is the operator's line: {@code KEY: must be … (was VALUE)}.
 */
public final class InvalidConfigurationException extends ConstraintViolationException {
    private static final long serialVersionUID = 1L;

    private final String key;

    public InvalidConfigurationException(String key, Set<? extends ConstraintViolation<?>> violations) {
        super(render(key, violations), violations);
        this.key = requireNonNull(key, "key is null");
    }

    /** The full configuration key of the refused value. */
    public String key() {
        return key;
    }

    /** One {@code KEY: RULE (was VALUE)} line per broken rule, in a stable order. */
    static String render(String key, Set<? extends ConstraintViolation<?>> violations) {
        return violations.stream()
                .map(violation -> key + ": " + violation.getMessage() + " (was " + StartupFailure.value(violation.getInvalidValue()) + ")")
                .sorted(Comparator.naturalOrder())
                .collect(Collectors.joining("; "));
    }
}
