package dev.portcullis.runtime.server;

import io.micronaut.context.exceptions.BeanInstantiationException;
import io.micronaut.context.exceptions.DependencyInjectionException;
import jakarta.validation.ConstraintViolationException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Turns a start-up failure into the one line an operator needs. Micronaut wraps the exception
 * a configuration record throws (whose message names the property) in several layers of
 * injection-path detail; the innermost of our own messages is the useful one. A value refused by
 * a record's constraint reads {@code KEY: must be … (was VALUE)}. A file that
 * cannot be used is named with what is wrong with it, never as a bare path.
 */
public final class StartupFailure {
    private StartupFailure() {}

    /** The most specific human-readable message in {@code failure}'s cause chain. */
    public static String describe(Throwable failure) {
        String message = failure.getMessage();
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof IOException io) {
                return describe(io);
            }
            if (t instanceof UncheckedIOException unchecked) {
                return describe(unchecked);
            }
            if (t instanceof ConstraintViolationException invalid) {
                return describe(invalid);
            }
            boolean wrapper = t instanceof BeanInstantiationException || t instanceof DependencyInjectionException;
            if (!wrapper && t.getMessage() != null) {
                message = t.getMessage();
            }
            if ((t instanceof IllegalArgumentException || t instanceof IllegalStateException) && t.getMessage() != null) {
                return t.getMessage();
            }
        }
        return message == null ? failure.getClass().getSimpleName() : message;
    }

    /**
     * A configuration value that breaks a rule: {@code KEY: must be … (was VALUE)}, one line per
     * broken rule. Only an {@link InvalidConfigurationException} knows the full key; a plain
     * violation is named by its property path.
     */
    private static String describe(ConstraintViolationException failure) {
        if (failure instanceof InvalidConfigurationException || failure.getConstraintViolations() == null
                || failure.getConstraintViolations().isEmpty()) {
            return failure.getMessage();
        }
        return failure.getConstraintViolations().stream()
                .map(violation -> violation.getPropertyPath() + ": " + violation.getMessage()
                        + " (was " + value(violation.getInvalidValue()) + ")")
                .sorted()
                .collect(Collectors.joining("; "));
    }

    /** A refused value as it is written in configuration: a duration as {@code 300ms} or {@code 0s}, not {@code PT0.3S}. */
    static String value(Object value) {
        // only kinds that cannot carry a credential are quoted: a refused string may be a URL with a
        // token in its path or a password, and a startup error is printed and logged
        if (value instanceof Duration duration) {
            return DurationText.format(duration);
        }
        if (value instanceof Number || value instanceof Boolean || value instanceof Enum<?>) {
            return String.valueOf(value);
        }
        return value == null ? "unset" : "value not shown";
    }

    /**
     * What went wrong with a file, e.g. "/x/audit.jsonl: the directory /x does not exist" or
     * "/x/key.pem: permission denied": a {@link FileSystemException}'s message is the bare path.
     */
    public static String describe(IOException failure) {
        if (!(failure instanceof FileSystemException problem) || problem.getFile() == null) {
            return failure.getMessage() == null || failure.getMessage().isBlank()
                    ? failure.getClass().getSimpleName() : failure.getMessage();
        }
        String file = problem.getFile();
        if (problem instanceof NoSuchFileException) {
            Optional<Path> parent = parent(file);
            if (parent.isPresent() && Files.exists(parent.get()) && !Files.isDirectory(parent.get())) {
                return file + ": " + parent.get() + " is not a directory";
            }
            return missingDirectory(parent).map(dir -> file + ": the directory " + dir + " does not exist")
                    .orElse(file + ": no such file or directory");
        }
        if (problem instanceof AccessDeniedException) {
            return file + ": permission denied (check the owner and mode of the file and its directory)";
        }
        if (problem instanceof NotDirectoryException) {
            return file + ": not a directory";
        }
        if (problem instanceof FileAlreadyExistsException) {
            return file + ": already exists";
        }
        if (problem instanceof DirectoryNotEmptyException) {
            return file + ": the directory is not empty";
        }
        return file + ": " + (problem.getReason() == null ? problem.getClass().getSimpleName() : problem.getReason().strip());
    }

    /**
     * Our context ("cannot write the dev catalog /x/catalog.yaml") and what was wrong with the
     * file, without naming the file twice. A failure that is not about a file keeps our message.
     */
    private static String describe(UncheckedIOException failure) {
        IOException cause = failure.getCause();
        String context = failure.getMessage();
        boolean ownContext = context != null && !context.equals(cause.toString());
        if (!ownContext) {
            return describe(cause);
        }
        if (!(cause instanceof FileSystemException problem) || problem.getFile() == null) {
            return context;
        }
        String detail = describe(cause);
        String prefix = problem.getFile() + ": ";
        return context + ": " + (context.contains(problem.getFile()) && detail.startsWith(prefix)
                ? detail.substring(prefix.length()) : detail);
    }

    /** The nearest missing directory above a file whose directory {@code parent} is missing. */
    private static Optional<Path> missingDirectory(Optional<Path> parent) {
        if (parent.isEmpty() || Files.exists(parent.get())) {
            return Optional.empty();
        }
        Path missing = parent.get();
        while (missing.getParent() != null && !Files.exists(missing.getParent())) {
            missing = missing.getParent();
        }
        return Optional.of(missing);
    }

    private static Optional<Path> parent(String file) {
        try {
            return Optional.ofNullable(Path.of(file).toAbsolutePath().getParent());
        } catch (InvalidPathException e) {
            return Optional.empty();
        }
    }
}
