package dev.portcullis.bench.reliability;

import dev.portcullis.v1.RunState;
import java.util.Set;

/** The run states a run never leaves, as the contract defines them. */
final class RunStates {
    private static final Set<RunState> FINAL = Set.of(RunState.RUN_STATE_DENIED, RunState.RUN_STATE_REJECTED,
            RunState.RUN_STATE_EXPIRED, RunState.RUN_STATE_SUCCEEDED, RunState.RUN_STATE_FAILED, RunState.RUN_STATE_CANCELLED,
            RunState.RUN_STATE_TIMED_OUT);

    private RunStates() {}

    static boolean isFinal(RunState state) {
        return FINAL.contains(state);
    }
}
