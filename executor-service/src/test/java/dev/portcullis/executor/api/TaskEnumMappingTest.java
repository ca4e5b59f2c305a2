package dev.portcullis.executor.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.portcullis.executor.task.TaskFailure;
import dev.portcullis.executor.task.TaskState;
import org.junit.jupiter.api.Test;

/** Each domain value maps to the contract value of its own name (the mappers have no reverse). */
class TaskEnumMappingTest {

    @Test
    void everyTaskStateMapsToTheContractValueOfItsName() {
        for (TaskState state : TaskState.values()) {
            assertEquals("TASK_STATE_" + state.name(), ExecutorGrpcService.toProto(state).name());
        }
    }

    @Test
    void everyFailureMapsToTheContractValueOfItsNameAndNoFailureToUnspecified() {
        for (TaskFailure failure : TaskFailure.values()) {
            assertEquals("TASK_FAILURE_" + (failure == TaskFailure.NONE ? "UNSPECIFIED" : failure.name()),
                    ExecutorGrpcService.toProto(failure).name());
        }
    }
}
