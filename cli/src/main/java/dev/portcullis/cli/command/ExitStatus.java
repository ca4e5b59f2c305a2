package dev.portcullis.cli.command;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Every exit status of every {@code portcullis} command, in one table: the contract a CI job or a
 * script acts on. A status means the same thing whichever command returns it, so no two outcomes
 * share a number (a usage error is never mistaken for a denial). Shown in {@code --help} and
 * documented in the README. A number, once given a meaning, is never given another.
 */
public enum ExitStatus {
    /** Done: the run succeeded (with --no-follow: accepted), the check passed, the action was taken. */
    SUCCESS(0, "Success: the run succeeded (with --no-follow: it was accepted), the catalog is valid or"
            + " allows the request, the audit log is intact, every service is SERVING, or the action was done."),
    /** A call or an operation failed: a refused request, an unreachable service, a file that cannot be read or written. */
    ERROR(1, "A call or operation failed: the service refused the request (its status and reason are printed),"
            + " stayed unreachable, or a file could not be read or written."),
    /** The policy denied the run (or, for catalog explain, would deny it). */
    DENIED(2, "The policy denied the run (catalog explain: would deny it); every reason is printed."),
    /** An approver rejected the run, or its approval window closed. */
    NOT_APPROVED(3, "An approver rejected the run, or its approval window closed."),
    /** The run's command failed or ran past its timeout. */
    FAILED(4, "The run's command failed or ran past its timeout."),
    /** The run was cancelled. */
    CANCELLED(5, "The run was cancelled."),
    /** audit verify, prove, consistency: the log, a proof or the coverage by checkpoints does not hold. */
    TAMPERED(6, "audit verify, prove, consistency: the audit log's hash chain, Merkle tree or a signed checkpoint is"
            + " broken (TAMPERED), the log does not extend the saved checkpoint, a proof fails, or more events than"
            + " --max-uncovered are covered by no checkpoint."),
    /** catalog validate, catalog explain: the catalog file has problems, each printed with its location. */
    INVALID_CATALOG(7, "catalog validate, catalog explain: the catalog file is invalid; every problem is printed"
            + " as FILE:LINE:COLUMN: FIELD: REASON."),
    /** health: a service is not SERVING; audit sources: a source has gone silent. */
    UNHEALTHY(8, "health: a service checked is not SERVING; audit sources: a source has gone silent."),
    /** A usage error, found before anything was done (sysexits.h EX_USAGE). */
    USAGE(64, "Usage error: an unknown command or option, a missing or malformed option or argument, or a file"
            + " named as an argument that does not exist. Nothing was done; see the command's --help.");

    private final int code;
    private final String meaning;

    ExitStatus(int code, String meaning) {
        this.code = code;
        this.meaning = meaning;
    }

    /** The number the process exits with. */
    public int code() {
        return code;
    }

    /** What the status means, one sentence for --help and the README. */
    public String meaning() {
        return meaning;
    }

    /** The statuses as picocli's {@code exitCodeList}: code to meaning, in the order given. */
    public static Map<String, String> helpList(ExitStatus... statuses) {
        Map<String, String> list = new LinkedHashMap<>();
        for (ExitStatus status : statuses) {
            list.put(String.format("%3d", status.code), status.meaning);
        }
        return list;
    }
}
