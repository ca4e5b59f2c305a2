package dev.portcullis.cli.run;

import dev.portcullis.cli.command.ExitStatus;
import dev.portcullis.v1.RunState;

/** What a run's state means to the command following it: whether it is over, and the exit status it ends with. */
final class RunOutcome {
    private RunOutcome() {}

    /** The exit status for a run that ended in {@code state}; a run still going counts as accepted. */
    static ExitStatus exitStatus(RunState state) {
        return switch (state) {
            case RUN_STATE_DENIED -> ExitStatus.DENIED;
            case RUN_STATE_REJECTED, RUN_STATE_EXPIRED -> ExitStatus.NOT_APPROVED;
            case RUN_STATE_FAILED, RUN_STATE_TIMED_OUT -> ExitStatus.FAILED;
            case RUN_STATE_CANCELLED -> ExitStatus.CANCELLED;
            case RUN_STATE_SUCCEEDED, RUN_STATE_SUBMITTED, RUN_STATE_AWAITING_APPROVAL, RUN_STATE_QUEUED,
                    RUN_STATE_RUNNING -> ExitStatus.SUCCESS;
            case RUN_STATE_UNSPECIFIED, UNRECOGNIZED -> ExitStatus.ERROR;
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

    /** True while the run waits for someone or something before it can run: approvals or a free slot. */
    static boolean isWaiting(RunState state) {
        return state == RunState.RUN_STATE_AWAITING_APPROVAL || state == RunState.RUN_STATE_QUEUED;
    }
}
