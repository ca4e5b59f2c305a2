package dev.portcullis.executor.repo;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * How the executor reaches a remote: for an {@code https://} URL, the configured read-only
 * credential, the one the ECS runner clones with; other schemes get none. Two users:
 * {@link GitRefHeads} ({@code ResolveRef}, in-process with JGit) reads the token from its file at
 * each resolution ({@link #readToken()}) and hands it to JGit only as the answer to a host's
 * authentication challenge; the local backend's git processes get it through
 * {@code GIT_ASKPASS} ({@link #environment(String)}), whose program reads the file at each prompt.
 * Either way the token is never in a URL, an argument list, a process environment,
 * {@code .git/config}, a log line or an exception message. Immutable and thread-safe.
 */
public final class GitAccess {
    /** A token is one line of visible ASCII: what hosts issue, and what a prompt's answer can carry. */
    private static final int MAX_TOKEN_BYTES = 4096;
    private static final String ASKPASS = """
            #!/bin/sh
            # GIT_ASKPASS of the Portcullis executor's git: the user name from the environment, the
            # token from its file at each prompt (never an argument, never an environment variable).
            case "$1" in
                Username*) printf '%s\\n' "$PORTCULLIS_GIT_USERNAME" ;;
                Password*) exec cat -- "$PORTCULLIS_GIT_TOKEN_FILE" ;;
                *) exit 1 ;;
            esac
            """;

    private final String username;
    private final Optional<Path> tokenFile;
    private final Optional<Path> askpass;
    private final Optional<Path> caFile;

    private GitAccess(String username, Optional<Path> tokenFile, Optional<Path> askpass, Optional<Path> caFile) {
        this.username = username;
        this.tokenFile = tokenFile;
        this.askpass = askpass;
        this.caFile = caFile;
    }

    /** No credential and the system's CAs: the access of a developer's machine or a public repository. */
    public static GitAccess anonymous() {
        return new GitAccess("x-access-token", Optional.empty(), Optional.empty(), Optional.empty());
    }

    /**
     * The access {@code config} describes; with a token file, writes the askpass program (which
     * holds no secret) into {@code dir}.
     *
     * @throws UncheckedIOException when the askpass program cannot be written
     */
    public static GitAccess of(GitConfig config, Path dir) {
        requireNonNull(config, "config is null");
        requireNonNull(dir, "dir is null");
        Optional<Path> askpass = config.token().isPresent() ? Optional.of(writeAskpass(dir)) : Optional.empty();
        return new GitAccess(config.username(), config.token(), askpass, config.cas());
    }

    /** What the executor holds for https remotes right now. */
    public enum Credential {
        /** No token file is configured. */
        NONE,
        /** The token file holds one line of visible ASCII. */
        READABLE,
        /** The token file is configured but missing, unreadable, empty or not one line of visible ASCII. */
        UNREADABLE
    }

    /** Checks the token file now (it may have been rotated or unmounted since the last call). Blocks on the file. */
    public Credential credential() {
        if (tokenFile.isEmpty()) {
            return Credential.NONE;
        }
        Optional<char[]> token = readToken();
        token.ifPresent(chars -> Arrays.fill(chars, '\0'));
        return token.isPresent() ? Credential.READABLE : Credential.UNREADABLE;
    }

    /**
     * The token now, without its line end, when the file holds one line of visible ASCII: the
     * caller owns the array and zeroes it when done. Blocks on the file.
     */
    Optional<char[]> readToken() {
        if (tokenFile.isEmpty()) {
            return Optional.empty();
        }
        byte[] bytes = new byte[0];
        try {
            if (Files.size(tokenFile.get()) > MAX_TOKEN_BYTES + 2) {
                return Optional.empty();
            }
            bytes = Files.readAllBytes(tokenFile.get());
            if (!oneVisibleLine(bytes)) {
                return Optional.empty();
            }
            int end = bytes.length;
            while (bytes[end - 1] == '\n' || bytes[end - 1] == '\r') {
                end--;
            }
            char[] token = new char[end];
            for (int i = 0; i < end; i++) {
                token[i] = (char) bytes[i]; // visible ASCII: one char per byte
            }
            return Optional.of(token);
        } catch (IOException e) {
            return Optional.empty(); // the caller names the property; the exception's text (a path) is not needed
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
    }

    /** The user name sent with the token. */
    String username() {
        return username;
    }

    /** The PEM bundle of CAs trusted for https hosts besides the JDK's, when one is configured. */
    Optional<Path> caFile() {
        return caFile;
    }

    /** Whether {@code url} is one the credential is offered to. */
    public boolean offersCredentialTo(String url) {
        return tokenFile.isPresent() && url.startsWith("https://");
    }

    /**
     * The variables a git process (the local backend's clone) reaching {@code url} gets on top of its clean environment: the
     * askpass program, the user name and the token file's path (never the token) for an https
     * URL, and the CA bundle when one is configured.
     */
    public Map<String, String> environment(String url) {
        Map<String, String> env = new HashMap<>();
        if (offersCredentialTo(url)) {
            env.put("GIT_ASKPASS", askpass.orElseThrow().toString());
            env.put("PORTCULLIS_GIT_USERNAME", username);
            env.put("PORTCULLIS_GIT_TOKEN_FILE", tokenFile.orElseThrow().toString());
        }
        caFile.ifPresent(cas -> env.put("GIT_SSL_CAINFO", cas.toString()));
        return Map.copyOf(env);
    }

    /** One line (an optional final LF or CRLF) of 1 to 4096 visible ASCII characters. */
    static boolean oneVisibleLine(byte[] bytes) {
        int end = bytes.length;
        if (end > 0 && bytes[end - 1] == '\n') {
            end--;
            if (end > 0 && bytes[end - 1] == '\r') {
                end--;
            }
        }
        if (end == 0 || end > MAX_TOKEN_BYTES) {
            return false;
        }
        for (int i = 0; i < end; i++) {
            if (bytes[i] < 0x21 || bytes[i] > 0x7e) {
                return false;
            }
        }
        return true;
    }

    private static Path writeAskpass(Path dir) {
        try {
            Files.createDirectories(dir);
            Path temporary = Files.createTempFile(dir, "askpass-", ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Files.writeString(temporary, ASKPASS, StandardCharsets.US_ASCII);
            Files.setPosixFilePermissions(temporary, PosixFilePermissions.fromString("r-x------"));
            Path askpass = dir.resolve("askpass");
            // replaced whole: a git running now keeps the old one, and nothing else can write it
            return Files.move(temporary, askpass, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE)
                    .toAbsolutePath();
        } catch (IOException e) {
            throw new UncheckedIOException("the executor's git askpass program could not be written", e);
        }
    }

    @Override
    public String toString() {
        return "GitAccess[username=" + username + ", tokenFile=" + tokenFile + ", caFile=" + caFile + "]";
    }
}
