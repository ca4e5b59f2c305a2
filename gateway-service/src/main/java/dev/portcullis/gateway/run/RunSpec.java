package dev.portcullis.gateway.run;

import static java.util.Objects.requireNonNull;

import dev.portcullis.runtime.request.CatalogName;
import dev.portcullis.runtime.request.CommitSha;
import dev.portcullis.runtime.request.GitRef;
import dev.portcullis.runtime.request.RepoFolder;
import dev.portcullis.runtime.request.RunId;
import java.util.Objects;
import java.util.Optional;

/** What a run asks for: a catalog command on a repo at a commit, in a folder, for an environment. Immutable. */
public final class RunSpec {
    private final CatalogName repo;
    private final CommitSha commit;
    private final GitRef ref;
    private final RepoFolder folder;
    private final CatalogName environment;
    private final CatalogName command;
    // null when the command applies no plan
    private final RunId planRun;

    public RunSpec(CatalogName repo, CommitSha commit, GitRef ref, RepoFolder folder, CatalogName environment,
            CatalogName command, Optional<RunId> planRun) {
        this.repo = requireNonNull(repo, "repo is null");
        this.commit = requireNonNull(commit, "commit is null");
        this.ref = requireNonNull(ref, "ref is null");
        this.folder = requireNonNull(folder, "folder is null");
        this.environment = requireNonNull(environment, "environment is null");
        this.command = requireNonNull(command, "command is null");
        this.planRun = requireNonNull(planRun, "planRun is null").orElse(null);
    }

    public CatalogName repo() {
        return repo;
    }

    public CommitSha commit() {
        return commit;
    }

    public GitRef ref() {
        return ref;
    }

    public RepoFolder folder() {
        return folder;
    }

    public CatalogName environment() {
        return environment;
    }

    public CatalogName command() {
        return command;
    }

    /** The plan run an apply applies. */
    public Optional<RunId> planRun() {
        return Optional.ofNullable(planRun);
    }

    /** The lock this run needs: one active run per (repo, folder, environment). */
    public String lockKey() {
        // folders and names hold no control characters, so a newline separates them unambiguously
        return repo.value() + "\n" + folder.value() + "\n" + environment.value();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof RunSpec that && repo.equals(that.repo) && commit.equals(that.commit) && ref.equals(that.ref)
                && folder.equals(that.folder) && environment.equals(that.environment) && command.equals(that.command)
                && Objects.equals(planRun, that.planRun);
    }

    @Override
    public int hashCode() {
        return Objects.hash(repo, commit, ref, folder, environment, command, planRun);
    }

    @Override
    public String toString() {
        return command + " " + repo + "@" + commit + " (" + ref + ") folder '" + folder + "' in " + environment
                + (planRun == null ? "" : " applying " + planRun);
    }
}
