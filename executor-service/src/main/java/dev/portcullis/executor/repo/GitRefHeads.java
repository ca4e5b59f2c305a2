package dev.portcullis.executor.repo;

import static java.util.Objects.requireNonNull;

import dev.portcullis.runtime.error.DomainException;
import dev.portcullis.runtime.request.CommitSha;
import dev.portcullis.runtime.request.GitRef;
import java.io.IOException;
import java.net.URISyntaxException;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.jgit.internal.storage.dfs.DfsRepositoryDescription;
import org.eclipse.jgit.internal.storage.dfs.InMemoryRepository;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.transport.FetchConnection;
import org.eclipse.jgit.transport.Transport;
import org.eclipse.jgit.transport.TransportHttp;
import org.eclipse.jgit.transport.URIish;
import org.eclipse.jgit.util.FS;

/**
 * The commit a ref of a repository points at now, read in-process with JGit (what {@code git
 * ls-remote} reads, without a git binary: the executor's image has none). https and local
 * repositories ({@code file:///} or an absolute path); ssh is not read (the executor holds no ssh
 * key). No user or system git config is read (the transport works against an empty in-memory
 * repository's config), nothing prompts, and no credential helper exists. For an https URL the
 * executor's read-only token ({@link GitAccess}) is read from its file at each call and given to
 * JGit only as the answer to the host's challenge from that same origin ({@link TokenCredentials});
 * the host's certificate must chain to the configured CA file or to the JDK's CAs
 * ({@link HttpsConnections}). A resolution over the network is cut off after the timeout (its
 * sockets are closed). The URL is never logged and never put in an exception message (it may carry
 * userinfo), and neither is JGit's text (which may name it). Blocks for at most about the timeout;
 * thread-safe.
 */
public final class GitRefHeads {
    private final Duration timeout;
    private final GitAccess access;

    /**
     * @param timeout how long one resolution may take before its connections are closed
     * @param access the credential offered to https remotes and the CAs trusted for them
     */
    public GitRefHeads(Duration timeout, GitAccess access) {
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
     *     ({@code REPOSITORY_UNAVAILABLE}) when it cannot be read in time or at all (an ssh
     *     repository, an untrusted certificate, an unreadable CA file included)
     */
    public CommitSha head(String repoUrl, GitRef ref) {
        requireNonNull(repoUrl, "repoUrl is null");
        requireNonNull(ref, "ref is null");
        urlProblem(repoUrl).ifPresent(problem -> {
            throw new IllegalArgumentException("repo URL " + problem);
        });
        if (repoUrl.startsWith("ssh://")) {
            throw unavailable("the executor reads the refs of https and local repositories only, not ssh ones");
        }
        boolean https = repoUrl.startsWith("https://");
        GitAccess.Credential credential = access.offersCredentialTo(repoUrl) ? access.credential()
                : GitAccess.Credential.NONE;
        if (credential == GitAccess.Credential.UNREADABLE) {
            throw unauthenticated(credential); // asking the host with a broken token would only read as "refused"
        }
        URIish uri;
        try {
            uri = new URIish(repoUrl);
        } catch (URISyntaxException e) {
            throw unavailable("the repository URL could not be parsed"); // its text quotes the URL
        }
        Optional<TokenCredentials> token = Optional.empty();
        if (credential == GitAccess.Credential.READABLE) {
            // read again, not kept from the check: a file rotated in between gives the new token or none
            char[] chars = access.readToken().orElseThrow(() -> unauthenticated(GitAccess.Credential.UNREADABLE));
            token = Optional.of(new TokenCredentials(access.username(), chars, uri));
        }
        try {
            return resolve(uri, https, ref, token, credential);
        } finally {
            token.ifPresent(TokenCredentials::clear);
        }
    }

    private CommitSha resolve(URIish uri, boolean https, GitRef ref, Optional<TokenCredentials> token,
            GitAccess.Credential credential) {
        Optional<HttpsConnections> connections = https ? Optional.of(trustedConnections()) : Optional.empty();
        // an https resolution out of time has its sockets closed: a read blocked on a slow host ends at once
        CompletableFuture<Void> watchdog = connections.map(open -> CompletableFuture.runAsync(open::abort,
                CompletableFuture.delayedExecutor(timeout.toMillis(), TimeUnit.MILLISECONDS)))
                .orElseGet(() -> CompletableFuture.completedFuture(null));
        // an empty in-memory repository as the local side: its config is empty, so no user or system
        // git config (http.sslVerify, http.extraHeader, proxies, cookie files) shapes the request
        try (Repository none = emptyRepository();
                Transport transport = Transport.open(none, uri)) {
            if (https != (transport instanceof TransportHttp)) {
                throw unavailable("the repository URL names no transport the executor reads");
            }
            if (transport instanceof TransportHttp http) {
                http.setHttpConnectionFactory(connections.orElseThrow());
            }
            transport.setTimeout((int) Math.max(1, (timeout.toMillis() + 999) / 1000));
            // JGit's global default provider is null unless someone set one: never let one answer for us
            transport.setCredentialsProvider(token.orElse(null));
            // the ref name limits what a protocol v2 host lists; a v0 host lists all refs
            try (FetchConnection refs = transport.openFetch(List.of(), ref.value())) {
                return commitOf(refs.getRefsMap(), ref);
            }
        } catch (IOException e) {
            // JGit's text names the URL: only its kind and the last HTTP status decide what the caller hears
            if (connections.map(HttpsConnections::aborted).orElse(false)) {
                throw unavailable("reading the repository's refs took longer than " + timeout.toSeconds() + "s");
            }
            int status = connections.map(HttpsConnections::lastStatus).orElse(-1);
            if (https && (status == 401 || status == 403)) {
                throw unauthenticated(credential); // NONE or READABLE: an unreadable one never got here
            }
            throw unavailable("the repository's refs could not be read");
        } finally {
            watchdog.cancel(false);
        }
    }

    /** The local side of a transport: nothing in it, and a config of its own that is empty. */
    private static Repository emptyRepository() throws IOException {
        // the file system is named: a local remote's path is resolved against it
        return new InMemoryRepository.Builder().setRepositoryDescription(new DfsRepositoryDescription("resolve-ref"))
                .setFS(FS.DETECTED).build();
    }

    private HttpsConnections trustedConnections() {
        try {
            return HttpsConnections.trusting(access.caFile());
        } catch (IOException | GeneralSecurityException e) {
            throw unavailable("the CA file (portcullis.executor.git.ca-file) could not be read as PEM certificates");
        }
    }

    /** The advertised ref named exactly {@code ref}: its peeled commit for an annotated tag, else its own. */
    static CommitSha commitOf(Map<String, Ref> advertised, GitRef ref) {
        Ref found = advertised.get(ref.value());
        ObjectId own = found == null ? null : found.getObjectId();
        if (own == null) {
            throw new DomainException(DomainException.Kind.NOT_FOUND, "REF_NOT_FOUND",
                    "the repository has no ref " + ref, Map.of("ref", ref.value()));
        }
        ObjectId peeled = found.getPeeledObjectId();
        return new CommitSha((peeled == null ? own : peeled).name());
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

    private static DomainException unavailable(String why) {
        return new DomainException(DomainException.Kind.UNAVAILABLE, "REPOSITORY_UNAVAILABLE", why, Map.of());
    }
}
