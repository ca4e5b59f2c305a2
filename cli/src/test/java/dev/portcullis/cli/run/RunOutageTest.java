package dev.portcullis.cli.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.portcullis.v1.GatewayServiceGrpc;
import dev.portcullis.v1.ListRunsRequest;
import dev.portcullis.v1.Run;
import dev.portcullis.v1.RunState;
import dev.portcullis.v1.WatchRunRequest;
import dev.portcullis.v1.WatchRunResponse;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Neighbours going away: nothing half-written, nothing lost, nothing run twice. */
class RunOutageTest {
    @TempDir
    Path dir;

    private SuiteFixture suite;

    @BeforeEach
    void start() throws Exception {
        suite = SuiteFixture.start(dir);
    }

    @AfterEach
    void stop() {
        suite.close();
    }

    @Test
    void withThePolicyServiceDownSubmitsAreRefusedUnavailableAndNothingIsStored() {
        int before = suite.gateway("ci").listRuns(ListRunsRequest.getDefaultInstance()).getRunsCount();
        suite.dev.stop("policy");

        StatusRuntimeException refused = assertThrows(StatusRuntimeException.class, () -> suite.submit("ci",
                SuiteFixture.spec(suite.mainCommit, "refs/heads/main", "stage/app", "stage", "plan")));

        assertEquals(Status.Code.UNAVAILABLE, refused.getStatus().getCode());
        assertEquals(before, suite.gateway("ci").listRuns(ListRunsRequest.getDefaultInstance()).getRunsCount());
    }

    @Test
    void aRunExecutingWhileTheGatewayRestartsCompletesWithItsWholeLogOnce() throws Exception {
        Run run = suite.submit("ci", SuiteFixture.spec(suite.mainCommit, "refs/heads/main", "stage/app", "stage", "slow"));
        // follow until the first line arrived, then go away as a CI job whose gateway vanished would
        try (Context.CancellableContext watching = Context.current().withCancellation()) {
            watching.run(() -> {
                Iterator<WatchRunResponse> stream = GatewayServiceGrpc.newBlockingStub(suite.channel("gateway", "ci"))
                        .withDeadlineAfter(60, TimeUnit.SECONDS)
                        .watchRun(WatchRunRequest.newBuilder().setRunId(run.getRunId()).build());
                while (stream.hasNext()) {
                    WatchRunResponse event = stream.next();
                    if (event.hasLogLine() && event.getLogLine().getText().equals("before the gate")) {
                        return;
                    }
                }
            });
        }

        suite.dev.restart("gateway");
        Files.createFile(suite.gate);
        List<WatchRunResponse> events = suite.watch(run.getRunId(), 0);

        assertEquals(RunState.RUN_STATE_SUCCEEDED, events.get(events.size() - 1).getStateChange().getState(),
                SuiteFixture.log(events));
        String log = SuiteFixture.log(events);
        assertEquals(1, log.lines().filter(line -> line.equals("before the gate")).count(), log);
        assertEquals(1, log.lines().filter(line -> line.equals("after the gate")).count(), log);
        for (int i = 0; i < events.size(); i++) {
            assertEquals(i, events.get(i).getOffset());
        }
    }
}
