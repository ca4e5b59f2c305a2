package dev.portcullis.gateway.api;

import dev.portcullis.gateway.run.RunState;
import java.util.Optional;

/**
 * Run states between the domain and {@code portcullis.v1.RunState}. Both switches are exhaustive,
 * so a state added on one side without the other fails compilation.
 */
final class RunStates {
    private RunStates() {}

    static dev.portcullis.v1.RunState toProto(RunState state) {
        return switch (state) {
            case SUBMITTED -> dev.portcullis.v1.RunState.RUN_STATE_SUBMITTED;
            case DENIED -> dev.portcullis.v1.RunState.RUN_STATE_DENIED;
            case AWAITING_APPROVAL -> dev.portcullis.v1.RunState.RUN_STATE_AWAITING_APPROVAL;
            case REJECTED -> dev.portcullis.v1.RunState.RUN_STATE_REJECTED;
            case EXPIRED -> dev.portcullis.v1.RunState.RUN_STATE_EXPIRED;
            case QUEUED -> dev.portcullis.v1.RunState.RUN_STATE_QUEUED;
            case RUNNING -> dev.portcullis.v1.RunState.RUN_STATE_RUNNING;
            case SUCCEEDED -> dev.portcullis.v1.RunState.RUN_STATE_SUCCEEDED;
            case FAILED -> dev.portcullis.v1.RunState.RUN_STATE_FAILED;
            case CANCELLED -> dev.portcullis.v1.RunState.RUN_STATE_CANCELLED;
            case TIMED_OUT -> dev.portcullis.v1.RunState.RUN_STATE_TIMED_OUT;
        };
    }

    /** The domain state; empty for UNSPECIFIED and values this version does not know. */
    static Optional<RunState> fromProto(dev.portcullis.v1.RunState state) {
        return switch (state) {
            case RUN_STATE_SUBMITTED -> Optional.of(RunState.SUBMITTED);
            case RUN_STATE_DENIED -> Optional.of(RunState.DENIED);
            case RUN_STATE_AWAITING_APPROVAL -> Optional.of(RunState.AWAITING_APPROVAL);
            case RUN_STATE_REJECTED -> Optional.of(RunState.REJECTED);
            case RUN_STATE_EXPIRED -> Optional.of(RunState.EXPIRED);
            case RUN_STATE_QUEUED -> Optional.of(RunState.QUEUED);
            case RUN_STATE_RUNNING -> Optional.of(RunState.RUNNING);
            case RUN_STATE_SUCCEEDED -> Optional.of(RunState.SUCCEEDED);
            case RUN_STATE_FAILED -> Optional.of(RunState.FAILED);
            case RUN_STATE_CANCELLED -> Optional.of(RunState.CANCELLED);
            case RUN_STATE_TIMED_OUT -> Optional.of(RunState.TIMED_OUT);
            case RUN_STATE_UNSPECIFIED, UNRECOGNIZED -> Optional.empty();
        };
    }
}
