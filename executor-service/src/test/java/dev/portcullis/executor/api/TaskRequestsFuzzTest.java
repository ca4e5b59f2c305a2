package dev.portcullis.executor.api;

import static dev.portcullis.runtime.testing.RequestFuzzing.message;
import static dev.portcullis.runtime.testing.RequestFuzzing.parsedOrRefused;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.portcullis.v1.CancelTaskRequest;
import dev.portcullis.v1.GetTaskRequest;
import dev.portcullis.v1.StartTaskRequest;
import dev.portcullis.v1.WatchTaskRequest;

/**
 * Every request message of {@code portcullis.v1.ExecutorService}, as any bytes on the wire make
 * it, goes through the executor's adapter ({@link TaskRequests}) to domain values or to an
 * INVALID_ARGUMENT refusal listing its bad fields: nothing else escapes.
 *
 * <p>Plain {@code mvn verify} replays the inputs under
 * {@code src/test/resources/dev/portcullis/executor/api/TaskRequestsFuzzTestInputs/<method>/}. To
 * fuzz one target:
 *
 * <pre>{@code
 * JAZZER_FUZZ=1 JAZZER_MAX_DURATION=30s mvn -B -pl executor-service -am test -Djazzer.hooks=true \
 *     -Dsurefire.failIfNoSpecifiedTests=false -Dtest='TaskRequestsFuzzTest#startTask'
 * }</pre>
 */
class TaskRequestsFuzzTest {

    @FuzzTest(maxDuration = "30s")
    void startTask(byte[] input) {
        message(StartTaskRequest.parser(), input).ifPresent(request -> parsedOrRefused(() -> TaskRequests.task(request.getTask()))
                .ifPresent(task -> assertTrue(!task.spec().timeout().isNegative() && !task.spec().steps().isEmpty())));
    }

    @FuzzTest(maxDuration = "30s")
    void getTask(byte[] input) {
        message(GetTaskRequest.parser(), input).ifPresent(request -> parsedOrRefused(() -> TaskRequests.runId(request.getRunId())));
    }

    @FuzzTest(maxDuration = "30s")
    void cancelTask(byte[] input) {
        message(CancelTaskRequest.parser(), input).ifPresent(request -> {
            parsedOrRefused(() -> TaskRequests.runId(request.getRunId()));
            assertTrue(TaskRequests.cancelReason(request).length() <= 1024);
        });
    }

    @FuzzTest(maxDuration = "30s")
    void watchTask(byte[] input) {
        message(WatchTaskRequest.parser(), input).ifPresent(request -> parsedOrRefused(() -> TaskRequests.watching(request))
                .ifPresent(watching -> assertTrue(watching.fromOffset() >= 0)));
    }
}
