package dev.portcullis.cli.run;

import dev.portcullis.v1.RunState;

/**
 * The exit status of the run commands, one per outcome a CI job acts on differently. Documented
 * in the README ("Exit statuses"); the numbers are a contract.
 */
enum RunExitCode {
    /** The run succeeded (or, with --no-follow, was accepted); or an approve, reject or cancel was done. */
    SUCCESS(0),
    /** Bad options, a request the gateway refused (with its reason), or the gateway stayed unreachable. */
    ERROR(1),
    /** The policy denied the run; the reasons are printed. */
    DENIED(2),
    /** An approver rejected the run, or its approval window closed. */
    NOT_APPROVED(3),
    /** The command failed or ran past its timeout. */
    FAILED(4),
    /** The run was cancelled. */
    CANCELLED(5);

    private final int code;

    RunExitCode(int code) {
        this.code = code;
    }

    int code() {
        return code;
    }

    /** The exit status for a run that ended in {@code state}; a run still going counts as accepted. */
    static RunExitCode of(RunState state) {
        return switch (state) {
            case RUN_STATE_DENIED -> DENIED;
            case RUN_STATE_REJECTED, RUN_STATE_EXPIRED -> NOT_APPROVED;
            case RUN_STATE_FAILED, RUN_STATE_TIMED_OUT -> FAILED;
            case RUN_STATE_CANCELLED -> CANCELLED;
            case RUN_STATE_SUCCEEDED, RUN_STATE_SUBMITTED, RUN_STATE_AWAITING_APPROVAL, RUN_STATE_QUEUED,
                    RUN_STATE_RUNNING -> SUCCESS;
            case RUN_STATE_UNSPECIFIED, UNRECOGNIZED -> ERROR;
        };
    }

    /** True for the states a run never leaves. */
    static boolean isFinal(RunState state) {
        return switch (state) {
            case RUN_STATE_DENIED, RUN_STATE_REJECTED, RUN_STATE_EXPIRED, RUN_STATE_SUCCEEDED, RUN_STATE_FAILED,
                    RUN_STATE_CANCELLED, RUN_STATE_TIMED_OUT -> true;
            default -> false;
        };
    }
}
