package dev.portcullis.executor.repo;

import static java.util.Objects.requireNonNull;

import dev.portcullis.runtime.error.DomainException;
import dev.portcullis.runtime.request.CommitSha;
import dev.portcullis.runtime.request.GitRef;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The commit a ref of a repository points at now, read with {@code git ls-remote}: no shell, argv
 * only, {@code --} before the URL, a clean environment (no prompt, no system or user git config,
 * no hooks, no credential helper), for an https URL the executor's read-only credential through
 * askpass ({@link GitAccess}), and a bounded time. The URL is never logged and never put in an
 * exception message (it may carry userinfo); git's own output (which may echo the URL) is read
 * only to tell an authentication failure from an unreachable repository, never passed on. Blocks
 * for at most the timeout; thread-safe.
 */
public final class GitRefHeads {
    private static final String SAFE_PATH = "/usr/local/bin:/usr/bin:/bin";
    /** A repository advertising more than this for one ref name is not one we read. */
    private static final long MAX_OUTPUT_BYTES = 64 * 1024;
    private static final int NO_MATCHING_REFS = 2; // git ls-remote --exit-code
    /**
     * git's words (LC_ALL=C) when a host wants a credential it was not given, refused the one
     * given, or forbade the request: exit 128 like an unreachable host, so the words decide.
     */
    private static final List<String> AUTHENTICATION_FAILURES = List.of("Authentication failed for",
            "could not read Username for", "could not read Password for", "The requested URL returned error: 401",
            "The requested URL returned error: 403");

    private final Path scratch;
    private final Duration timeout;
    private final GitAccess access;

    /**
     * @param scratch a directory git runs in (each call gets a fresh subdirectory, removed after)
     * @param timeout how long one resolution may take before git is killed
     * @param access the credential offered to https remotes
     */
    public GitRefHeads(Path scratch, Duration timeout, GitAccess access) {
        this.scratch = requireNonNull(scratch, "scratch is null");
        this.timeout = requireNonNull(timeout, "timeout is null");
        this.access = requireNonNull(access, "access is null");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive");
        }
    }

    /**
     * What is wrong with a repository URL, in words safe to show (never the URL); empty when
     * nothing is. The rules of a task's {@code repo_url}.
     */
    public static Optional<String> urlProblem(String repoUrl) {
        if (repoUrl.length() > 2048 || !(repoUrl.startsWith("https://") || repoUrl.startsWith("ssh://")
                || repoUrl.startsWith("file:///") || repoUrl.startsWith("/"))
                || repoUrl.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
            return Optional.of("must be https://, ssh://, file:/// or an absolute path, printable ASCII, at most 2048 characters");
        }
        return Optional.empty();
    }

    /**
     * The commit {@code ref} points at in {@code repoUrl}; for an annotated tag, the commit it peels to.
     *
     * @throws IllegalArgumentException when the URL breaks {@link #urlProblem}
     * @throws DomainException NOT_FOUND ({@code REF_NOT_FOUND}) when the repository has no such
     *     ref; PRECONDITION ({@code REPOSITORY_UNAUTHENTICATED}, metadata {@code credential}:
     *     {@code none}, {@code unreadable} or {@code refused}) when an https repository wants a
     *     credential the executor lacks, cannot read, or was refused with; UNAVAILABLE
     *     ({@code REPOSITORY_UNAVAILABLE}) when it cannot be read in time or at all
     */
    public CommitSha head(String repoUrl, GitRef ref) {
        requireNonNull(repoUrl, "repoUrl is null");
        requireNonNull(ref, "ref is null");
        urlProblem(repoUrl).ifPresent(problem -> {
            throw new IllegalArgumentException("repo URL " + problem);
        });
        Path work;
        try {
            Files.createDirectories(scratch);
            work = Files.createTempDirectory(scratch, "ls-remote-");
        } catch (IOException e) {
            throw new UncheckedIOException("the executor's scratch directory is not writable", e);
        }
        try {
            return resolve(work, repoUrl, ref);
        } finally {
            delete(work);
        }
    }

    private CommitSha resolve(Path work, String repoUrl, GitRef ref) {
        GitAccess.Credential credential = access.offersCredentialTo(repoUrl) ? access.credential()
                : GitAccess.Credential.NONE;
        if (credential == GitAccess.Credential.UNREADABLE) {
            throw unauthenticated(credential); // asking the host with a broken token would only read as "refused"
        }
        // the peeled name too: for an annotated tag, its line names the commit, the plain one the tag object
        List<String> command = List.of("git", "-c", "core.hooksPath=/dev/null", "-c", "protocol.file.allow=always",
                "-c", "credential.helper=", "ls-remote", "--exit-code", "--", repoUrl, ref.value(), ref.value() + "^{}");
        Path out = work.resolve("out");
        Path err = work.resolve("err");
        ProcessBuilder builder = new ProcessBuilder(command).directory(work.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        Map<String, String> env = builder.environment();
        env.clear();
        env.put("PATH", SAFE_PATH);
        env.put("HOME", work.toString());
        env.put("GIT_TERMINAL_PROMPT", "0");
        env.put("GIT_CONFIG_NOSYSTEM", "1");
        env.put("GIT_CONFIG_GLOBAL", "/dev/null");
        env.put("LC_ALL", "C"); // git's messages untranslated: authenticationFailed reads them
        env.putAll(access.environment(repoUrl));
        int exit;
        try {
            Process git = builder.start();
            if (!git.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                killTree(git);
                throw unavailable("reading the repository's refs took longer than " + timeout.toSeconds() + "s");
            }
            exit = git.exitValue();
        } catch (IOException e) {
            throw unavailable("git could not be started");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unavailable("interrupted while reading the repository's refs");
        }
        if (exit == NO_MATCHING_REFS) {
            throw new DomainException(DomainException.Kind.NOT_FOUND, "REF_NOT_FOUND",
                    "the repository has no ref " + ref, Map.of("ref", ref.value()));
        }
        if (exit != 0) {
            if (repoUrl.startsWith("https://") && authenticationFailed(err)) {
                throw unauthenticated(credential); // NONE or READABLE: an unreadable one never got here
            }
            throw unavailable("git could not read the repository's refs (exit " + exit + ")");
        }
        return commitOf(read(out), ref);
    }

    /** The peeled line's commit when there is one, else the ref's own; names must match exactly. */
    static CommitSha commitOf(String listing, GitRef ref) {
        Optional<String> plain = Optional.empty();
        Optional<String> peeled = Optional.empty();
        for (String line : listing.split("\n")) {
            int tab = line.indexOf('\t');
            if (tab < 0) {
                continue;
            }
            String name = line.substring(tab + 1);
            if (name.equals(ref.value())) {
                plain = Optional.of(line.substring(0, tab));
            } else if (name.equals(ref.value() + "^{}")) {
                peeled = Optional.of(line.substring(0, tab));
            }
        }
        Optional<String> own = plain;
        String sha = peeled.or(() -> own).orElseThrow(() -> new DomainException(DomainException.Kind.NOT_FOUND,
                "REF_NOT_FOUND", "the repository has no ref " + ref, Map.of("ref", ref.value())));
        try {
            return new CommitSha(sha);
        } catch (IllegalArgumentException e) {
            throw unavailable("the repository named " + ref + " with something other than a 40-hex commit");
        }
    }

    /** Whether git's error output says the host wanted, refused or forbade a credential; never passed on. */
    private static boolean authenticationFailed(Path err) {
        String said;
        try (InputStream in = Files.newInputStream(err)) {
            said = new String(in.readNBytes((int) MAX_OUTPUT_BYTES), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return false;
        }
        return AUTHENTICATION_FAILURES.stream().anyMatch(said::contains);
    }

    /**
     * The failure for a host that wants a credential: what the executor held ({@code READABLE}
     * means it was sent and refused), and what to do about it, in words without the URL or token.
     */
    private static DomainException unauthenticated(GitAccess.Credential held) {
        String credential = switch (held) {
            case NONE -> "none";
            case UNREADABLE -> "unreadable";
            case READABLE -> "refused";
        };
        String message = switch (held) {
            case NONE -> "the repository requires a credential and the executor has none for https repositories:"
                    + " give it a read-only token (portcullis.executor.git.token-file)";
            case UNREADABLE -> "the executor's git token file (portcullis.executor.git.token-file) is missing,"
                    + " unreadable, empty or not one line, so the repository was not asked: check the mounted secret";
            case READABLE -> "the repository refused the executor's git credential: check that the token in"
                    + " portcullis.executor.git.token-file is valid, unexpired and may read this repository";
        };
        return new DomainException(DomainException.Kind.PRECONDITION, "REPOSITORY_UNAUTHENTICATED", message,
                Map.of("credential", credential));
    }

    private static String read(Path out) {
        try (InputStream in = Files.newInputStream(out)) {
            byte[] bytes = in.readNBytes((int) MAX_OUTPUT_BYTES + 1);
            if (bytes.length > MAX_OUTPUT_BYTES) {
                throw unavailable("the repository advertised too much for one ref");
            }
            return new String(bytes, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw unavailable("git's answer could not be read");
        }
    }

    private static DomainException unavailable(String why) {
        return new DomainException(DomainException.Kind.UNAVAILABLE, "REPOSITORY_UNAVAILABLE", why, Map.of());
    }

    private static void killTree(Process process) {
        List<ProcessHandle> descendants = process.descendants().toList();
        process.toHandle().destroyForcibly();
        descendants.forEach(ProcessHandle::destroyForcibly);
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void delete(Path work) {
        try (Stream<Path> paths = Files.walk(work)) {
            List<Path> all = new ArrayList<>(paths.sorted(Comparator.reverseOrder()).toList());
            for (Path path : all) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            // a leftover scratch directory holds only git's listing of one ref: harmless, not worth failing for
        }
    }
}
