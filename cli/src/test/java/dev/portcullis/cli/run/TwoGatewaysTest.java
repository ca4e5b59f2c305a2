package dev.portcullis.cli.run;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.runtime.server.ServiceLauncher;
import dev.portcullis.runtime.testing.TestDatabases;
import dev.portcullis.v1.ChainedEvent;
import dev.portcullis.v1.GatewayServiceGrpc;
import dev.portcullis.v1.Run;
import dev.portcullis.v1.RunState;
import dev.portcullis.v1.SubmitRunRequest;
import dev.portcullis.v1.WatchRunResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The suite with two gateway instances sharing one PostgreSQL database: runs for one (repo,
 * folder, environment) submitted alternately to both run one at a time, in submission order,
 * each executed exactly once.
 */
class TwoGatewaysTest {
    @TempDir
    Path dir;

    @Test
    void runsSubmittedToTwoGatewaysExecuteOnceEachInSubmissionOrder() throws Exception {
        TestDatabases.Settings db = TestDatabases.freshPostgresSchema();
        Path password = Files.writeString(Files.createDirectories(dir.resolve("secrets")).resolve("db-password"), db.password(), UTF_8);
        Map<String, Object> store = Map.of(
                "portcullis.gateway.store.jdbc-url", db.jdbcUrlInSchema(),
                "portcullis.gateway.store.db-user", db.user(),
                "portcullis.gateway.store.db-password-file", password.toString(),
                "portcullis.gateway.runs.lease", "3s",
                "portcullis.gateway.runs.poll-interval", "100ms");
        try (SuiteFixture suite = SuiteFixture.start(dir, Map.of("gateway", store))) {
            Map<String, Object> second = new HashMap<>(suite.dev.configuration("gateway"));
            second.put("portcullis.server.port", 0);
            second.put("portcullis.audit-outbox.spool-dir", dir.resolve("spool-gateway-2").toString());
            try (ServiceLauncher.RunningService gateway2 = ServiceLauncher.start("gateway", second, false)) {
                List<GatewayServiceGrpc.GatewayServiceBlockingStub> gateways = List.of(suite.gateway("ci"),
                        GatewayServiceGrpc.newBlockingStub(suite.channelTo(gateway2.port(), "ci"))
                                .withDeadlineAfter(60, TimeUnit.SECONDS));
                List<String> submitted = new ArrayList<>();
                for (int i = 0; i < 6; i++) {
                    Run run = gateways.get(i % 2).submitRun(SubmitRunRequest.newBuilder()
                            .setSpec(SuiteFixture.spec(suite.mainCommit, "refs/heads/main", "stage/app", "stage", "plan"))
                            .setRequestKey("two-gateways-" + i).build()).getRun();
                    submitted.add(run.getRunId());
                }

                Instant previousEnd = Instant.EPOCH;
                for (String runId : submitted) {
                    List<WatchRunResponse> events = suite.watch(runId, 0);
                    WatchRunResponse last = events.get(events.size() - 1);
                    assertEquals(RunState.RUN_STATE_SUCCEEDED, last.getStateChange().getState(), SuiteFixture.log(events));
                    WatchRunResponse running = events.stream()
                            .filter(e -> e.hasStateChange() && e.getStateChange().getState() == RunState.RUN_STATE_RUNNING)
                            .findFirst().orElseThrow();
                    Instant started = Instant.ofEpochSecond(running.getTime().getSeconds(), running.getTime().getNanos());
                    assertTrue(!started.isBefore(previousEnd), "run " + runId + " started before the one ahead of it ended");
                    previousEnd = Instant.ofEpochSecond(last.getTime().getSeconds(), last.getTime().getNanos());
                    assertEquals(1, SuiteFixture.log(events).lines().filter(l -> l.startsWith("demo plan for")).count());
                }
                for (String runId : submitted) {
                    List<ChainedEvent> audit = suite.auditOf(runId, 6);
                    assertEquals(1, audit.stream().filter(e -> e.getEvent().getAction().name().equals("AUDIT_ACTION_TASK_STARTED"))
                            .count(), "run " + runId + " executed exactly once");
                }
            }
        } finally {
            TestDatabases.drop(db);
        }
    }
}
