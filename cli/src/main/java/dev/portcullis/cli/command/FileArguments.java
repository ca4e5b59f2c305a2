package dev.portcullis.cli.command;

import dev.portcullis.runtime.server.StartupFailure;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/**
 * Checks of the files a command is given, before it does anything: a path that names no usable
 * file is a usage error (exit 64), told as what is wrong with it, not as a bare path.
 */
public final class FileArguments {
    private FileArguments() {}

    /**
     * {@code file}, a readable regular file.
     *
     * @throws ParameterException naming {@code option} and what is wrong with the file
     */
    public static Path existingFile(CommandSpec spec, String option, Path file) {
        String path = file.toString();
        if (!Files.exists(file)) {
            throw refused(spec, option, StartupFailure.describe(new NoSuchFileException(path)));
        }
        if (Files.isDirectory(file)) {
            throw refused(spec, option, path + ": is a directory, not a file");
        }
        if (!Files.isReadable(file)) {
            throw refused(spec, option, StartupFailure.describe(new AccessDeniedException(path)));
        }
        return file;
    }

    /**
     * {@code file}, a file that can be created or replaced: its directory exists.
     *
     * @throws ParameterException naming {@code option} and what is wrong with the path
     */
    public static Path newFile(CommandSpec spec, String option, Path file) {
        Path directory = file.toAbsolutePath().getParent();
        if (directory != null && !Files.isDirectory(directory)) {
            throw refused(spec, option, StartupFailure.describe(Files.exists(directory)
                    ? new NotDirectoryException(directory.toString()) : new NoSuchFileException(file.toString())));
        }
        if (Files.isDirectory(file)) {
            throw refused(spec, option, file + ": is a directory, not a file");
        }
        return file;
    }

    private static ParameterException refused(CommandSpec spec, String option, String problem) {
        return new ParameterException(spec.commandLine(), option + ": " + problem);
    }
}
