package dev.portcullis.cli.run;

import static dev.portcullis.cli.run.TerraformFolders.commit;
import static dev.portcullis.cli.run.TerraformFolders.resource;
import static dev.portcullis.cli.run.TerraformFolders.writeResources;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Timestamp;
import dev.portcullis.runtime.server.ServiceLauncher;
import dev.portcullis.runtime.testing.TerraformBinary;
import dev.portcullis.runtime.testing.TestDatabases;
import dev.portcullis.v1.AuditAction;
import dev.portcullis.v1.ChainedEvent;
import dev.portcullis.v1.ListRunsRequest;
import dev.portcullis.v1.Run;
import dev.portcullis.v1.RunState;
import dev.portcullis.v1.WatchRunResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Drift checks with two gateway instances sharing one PostgreSQL database, each running its drift
 * loop every second, over real Terraform: a due check is run by one of them, once; and a check due
 * while an apply of its folder and environment holds the lock waits in the queue and runs after
 * the apply. Skipped with a message without {@code terraform} or PostgreSQL, except under CI=true,
 * where it fails.
 */
class DriftTwoGatewaysTest {
    private static final Set<RunState> FINAL = Set.of(RunState.RUN_STATE_DENIED, RunState.RUN_STATE_REJECTED,
            RunState.RUN_STATE_EXPIRED, RunState.RUN_STATE_SUCCEEDED, RunState.RUN_STATE_FAILED, RunState.RUN_STATE_CANCELLED,
            RunState.RUN_STATE_TIMED_OUT);
    private static final Duration CHECK_WAIT = Duration.ofSeconds(120);
    /**
     * Checks of {@code @FOLDERS@} every 10 s; the apply waits at its first step until the test
     * creates {@code @GATE@}, holding the lock of its folder and environment meanwhile.
     */
    private static final String CATALOG = """
            version: 1
            drift_min_every: 10s
            environments:
              prod:
                approvals: 0
            commands:
              plan:
                steps:
                  - ["terraform", "init", "-input=false", "-no-color", "-backend-config=path=@STATE@/${folder}/terraform.tfstate"]
                  - ["terraform", "plan", "-input=false", "-no-color", "-out=plan.tfplan", "-detailed-exitcode"]
                env: @ENV@
                produces: plan.tfplan
                summary: terraform
              apply:
                steps:
                  - ["sh", "-c", "while [ ! -e '@GATE@' ]; do sleep 0.05; done"]
                  - ["terraform", "init", "-input=false", "-no-color", "-backend-config=path=@STATE@/${folder}/terraform.tfstate"]
                  - ["terraform", "apply", "-input=false", "-no-color", "plan.tfplan"]
                env: @ENV@
                requires_plan: true
                changes_infrastructure: true
            repos:
              - name: example
                url: file://@REPO@
                folders: ["prod/**"]
                callers: ["spiffe://portcullis.dev/ci/**", "spiffe://portcullis.dev/portcullis/drift-scheduler"]
                rules:
                  - commands: [plan]
                    refs: ["refs/heads/**"]
                    environments: [prod]
                  - commands: [apply]
                    refs: ["refs/heads/main"]
                    environments: [prod]
                drift:
                  - folders: [@FOLDERS@]
                    environments: [prod]
                    command: plan
                    every: 10s
                    jitter: 0s
            """.replace("@ENV@", TerraformFolders.ENV);

    @TempDir
    Path dir;

    private TestDatabases.Settings db;
    private SuiteFixture suite;
    private ServiceLauncher.RunningService secondGateway;

    @BeforeEach
    void database() {
        db = TestDatabases.freshPostgresSchema();
    }

    @AfterEach
    void stop() {
        if (secondGateway != null) {
            secondGateway.close();
        }
        if (suite != null) {
            suite.close();
        }
        if (db != null) {
            TestDatabases.drop(db);
        }
    }

    /** The suite and a second gateway over one PostgreSQL schema, checking {@code folders} for drift. */
    private String startTwoGateways(List<String> folders) throws Exception {
        TerraformBinary.required();
        Path repo = dir.resolve("repo");
        for (String folder : folders) {
            writeResources(repo.resolve(folder), resource("one", "v1"));
        }
        SuiteFixture.git(Files.createDirectories(repo), "init", "-q", "-b", "main");
        String main = commit(repo, "one resource in each folder");
        Path password = Files.writeString(Files.createDirectories(dir.resolve("secrets")).resolve("db-password"),
                db.password(), UTF_8);
        Map<String, Object> gateway = Map.of(
                "portcullis.gateway.store.jdbc-url", db.jdbcUrlInSchema(),
                "portcullis.gateway.store.db-user", db.user(),
                "portcullis.gateway.store.db-password-file", password.toString(),
                "portcullis.gateway.runs.lease", "3s",
                "portcullis.gateway.runs.poll-interval", "100ms",
                "portcullis.gateway.drift.interval", "1s");
        String catalog = CATALOG.replace("@STATE@", dir.resolve("state").toString())
                .replace("@GATE@", gate().toString()).replace("@FOLDERS@", String.join(", ", folders));
        suite = SuiteFixture.startWith(dir, catalog, repo, main, main, Map.of("gateway", gateway));
        Map<String, Object> second = new HashMap<>(suite.dev.configuration("gateway"));
        second.put("portcullis.server.port", 0);
        second.put("portcullis.audit-outbox.spool-dir", dir.resolve("spool-gateway-2").toString());
        secondGateway = ServiceLauncher.start("gateway", second, false);
        return main;
    }

    private Path gate() {
        return dir.resolve("apply-gate");
    }

    @Test
    void eachDueCheckRunsOnceWhenTwoGatewaysRunTheDriftLoop() throws Exception {
        startTwoGateways(List.of("prod/a", "prod/b"));

        await("two finished checks of every target").atMost(CHECK_WAIT).pollInterval(Duration.ofMillis(250))
                .until(() -> endedChecksByFolder().values().stream().filter(ended -> ended.size() >= 2).count() == 2);

        Map<String, List<Run>> checks = endedChecksByFolder();
        for (Map.Entry<String, List<Run>> target : checks.entrySet()) {
            List<Run> ordered = target.getValue().stream()
                    .sorted(Comparator.comparing(run -> instant(run.getCreatedAt()))).toList();
            for (int i = 1; i < ordered.size(); i++) {
                Instant previousEnded = instant(ordered.get(i - 1).getUpdatedAt());
                assertFalse(instant(ordered.get(i).getCreatedAt()).isBefore(previousEnded), "a check of " + target.getKey()
                        + " was submitted while the one before it was pending: " + ordered);
            }
            for (Run check : ordered) {
                assertEquals(RunState.RUN_STATE_SUCCEEDED, check.getState(), "check " + check.getRunId() + " planned");
                List<ChainedEvent> audit = suite.auditOf(check.getRunId(),
                        Set.of(AuditAction.AUDIT_ACTION_TASK_FINISHED, AuditAction.AUDIT_ACTION_RUN_FINISHED));
                assertEquals(1, count(audit, AuditAction.AUDIT_ACTION_TASK_STARTED), "check " + check.getRunId()
                        + " of " + target.getKey() + " executed exactly once: " + audit);
            }
        }
        List<String> ended = checks.values().stream().flatMap(List::stream).map(Run::getRunId).toList();
        await("the results of the finished checks").atMost(CHECK_WAIT).pollInterval(Duration.ofMillis(250))
                .until(() -> driftResultsPerRun().keySet().containsAll(ended));
        Map<String, Long> resultsPerRun = driftResultsPerRun();
        for (String check : ended) {
            assertEquals(1, resultsPerRun.get(check), "the result of " + check + " is recorded once across both"
                    + " gateways: " + resultsPerRun);
        }
    }

    @Test
    void aCheckDueWhileAnApplyHoldsTheLockRunsAfterTheApply() throws Exception {
        String main = startTwoGateways(List.of("prod/app"));
        CliRuns runs = new CliRuns(suite);
        String plan = runs.succeededPlan(main, "prod/app");
        CliRuns.Result submitted = runs.cli("ci", "apply", "--repo", "example", "--commit", main, "--ref",
                "refs/heads/main", "--folder", "prod/app", "--env", "prod", "--plan-run", plan, "--no-follow");
        assertEquals(0, submitted.exit(), submitted.err());
        String apply = submitted.out().strip();
        Run applying = suite.awaitState(apply, RunState.RUN_STATE_RUNNING);

        Run waiting = awaitCheck("a check submitted while the apply runs", check ->
                instant(check.getCreatedAt()).isAfter(instant(applying.getUpdatedAt())));
        assertEquals(RunState.RUN_STATE_QUEUED, runs.run(waiting.getRunId()).getState(),
                "the check waits behind the apply holding the lock");
        Files.createFile(gate());
        List<WatchRunResponse> applyEvents = suite.watch(apply, 0);
        List<WatchRunResponse> checkEvents = suite.watch(waiting.getRunId(), 0);

        assertEquals(RunState.RUN_STATE_SUCCEEDED, lastState(applyEvents), SuiteFixture.log(applyEvents));
        assertEquals(RunState.RUN_STATE_SUCCEEDED, lastState(checkEvents), SuiteFixture.log(checkEvents));
        Instant applyEnded = time(applyEvents.get(applyEvents.size() - 1));
        Instant checkStarted = time(checkEvents.stream().filter(event -> event.hasStateChange()
                && event.getStateChange().getState() == RunState.RUN_STATE_RUNNING).findFirst().orElseThrow());
        assertTrue(instant(waiting.getCreatedAt()).isBefore(applyEnded), "the check was due and submitted during the apply");
        assertFalse(checkStarted.isBefore(applyEnded), "the check started at " + checkStarted
                + ", before the apply ended at " + applyEnded);
    }

    // ---- what the suite recorded

    private List<Run> driftChecks() {
        return suite.gateway("admin").listRuns(ListRunsRequest.newBuilder().setRepo("example").setDrift(true)
                .setPageSize(500).build()).getRunsList();
    }

    private Map<String, List<Run>> endedChecksByFolder() {
        return driftChecks().stream().filter(run -> FINAL.contains(run.getState()))
                .collect(Collectors.groupingBy(run -> run.getSpec().getFolder()));
    }

    private Run awaitCheck(String what, Predicate<Run> wanted) {
        AtomicReference<Run> found = new AtomicReference<>();
        await(what).atMost(CHECK_WAIT).pollInterval(Duration.ofMillis(250)).until(() -> {
            driftChecks().stream().filter(wanted).findFirst().ifPresent(found::set);
            return found.get() != null;
        });
        return found.get();
    }

    /** How many drift.* events name each check's run. */
    private Map<String, Long> driftResultsPerRun() {
        return suite.auditEvents(List.of(AuditAction.AUDIT_ACTION_DRIFT_DETECTED, AuditAction.AUDIT_ACTION_DRIFT_CLEARED,
                        AuditAction.AUDIT_ACTION_DRIFT_CHECK_FAILED)).stream()
                .collect(Collectors.groupingBy(event -> event.getEvent().getResource().getRunId(), Collectors.counting()));
    }

    private static long count(List<ChainedEvent> events, AuditAction action) {
        return events.stream().filter(event -> event.getEvent().getAction() == action).count();
    }

    private static RunState lastState(List<WatchRunResponse> events) {
        return events.get(events.size() - 1).getStateChange().getState();
    }

    private static Instant time(WatchRunResponse event) {
        return instant(event.getTime());
    }

    private static Instant instant(Timestamp time) {
        return Instant.ofEpochSecond(time.getSeconds(), time.getNanos());
    }
}
