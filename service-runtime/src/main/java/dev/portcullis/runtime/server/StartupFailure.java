package dev.portcullis.runtime.server;

import io.micronaut.context.exceptions.BeanInstantiationException;
import io.micronaut.context.exceptions.DependencyInjectionException;

/**
 * Turns a start-up failure into the one line an operator needs. Micronaut wraps the exception
 * a configuration record throws (whose message names the property) in several layers of
 * injection-path detail; the innermost of our own messages is the useful one.
 */
public final class StartupFailure {
    private StartupFailure() {}

    /** The most specific human-readable message in {@code failure}'s cause chain. */
    public static String describe(Throwable failure) {
        String message = failure.getMessage();
        for (Throwable t = failure; t != null; t = t.getCause()) {
            boolean wrapper = t instanceof BeanInstantiationException || t instanceof DependencyInjectionException;
            if (!wrapper && t.getMessage() != null) {
                message = t.getMessage();
            }
            if ((t instanceof IllegalArgumentException || t instanceof IllegalStateException
                    || t instanceof java.io.UncheckedIOException) && t.getMessage() != null) {
                return t.getMessage();
            }
        }
        return message == null ? failure.getClass().getSimpleName() : message;
    }
}
