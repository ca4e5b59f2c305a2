package dev.portcullis.cli.run;

import static dev.portcullis.cli.run.TerraformFolders.commit;
import static dev.portcullis.cli.run.TerraformFolders.resource;
import static dev.portcullis.cli.run.TerraformFolders.writeResources;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portcullis.runtime.testing.TerraformBinary;
import dev.portcullis.v1.Alert;
import dev.portcullis.v1.AlertSeverity;
import dev.portcullis.v1.AuditAction;
import dev.portcullis.v1.AuditEvent;
import dev.portcullis.v1.AuditServiceGrpc;
import dev.portcullis.v1.ListAlertsRequest;
import dev.portcullis.v1.ListRunsRequest;
import dev.portcullis.v1.QueryRequest;
import dev.portcullis.v1.Run;
import dev.portcullis.v1.RunState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Drift checks with real Terraform through the whole suite: the catalog schedules a check of
 * prod/app every 10 seconds (its {@code drift_min_every} allows it), the gateway's drift loop runs
 * it as a plan of main's head, and what it finds reaches the audit record and the alerts.
 * Skipped with a message when {@code terraform} is not on PATH, except under CI=true, where it fails.
 */
class DriftEndToEndTest {
    private static final String SCHEDULER = "spiffe://portcullis.dev/portcullis/drift-scheduler";
    private static final String TARGET = "example:prod/app:prod";
    private static final String ADMIN = "spiffe://portcullis.dev/human/admin";
    private static final String CATALOG = """
            version: 1
            drift_min_every: 10s
            environments:
              prod:
                approvals: 1
            @COMMANDS@
            repos:
              - name: example
                url: file://@REPO@
                folders: ["prod/**"]
                callers: ["spiffe://portcullis.dev/ci/**", "@SCHEDULER@"]
                rules:
                  - commands: [plan]
                    refs: ["refs/heads/**"]
                    environments: [prod]
                  - commands: [apply]
                    refs: ["refs/heads/main"]
                    environments: [prod]
                drift:
                  - folders: [prod/app]
                    environments: [prod]
                    command: plan
                    every: 10s
                    jitter: 0s
            """.replace("@COMMANDS@\n", TerraformFolders.COMMANDS).replace("@SCHEDULER@", SCHEDULER);
    /** Each replica looks for due and finished checks every second. */
    private static final Map<String, Map<String, Object>> FAST_ROUNDS =
            Map.of("gateway", Map.of("portcullis.gateway.drift.interval", "1s"));
    private static final Duration CHECK_WAIT = Duration.ofSeconds(90);

    @TempDir
    Path dir;

    private SuiteFixture suite;
    private CliRuns runs;

    @AfterEach
    void stop() {
        if (suite != null) {
            suite.close();
        }
    }

    private String startOnOneFolder() throws Exception {
        TerraformBinary.required();
        Path repo = dir.resolve("repo");
        writeResources(repo.resolve("prod/app"), resource("first", "v1"), resource("second", "v1"));
        SuiteFixture.git(Files.createDirectories(repo), "init", "-q", "-b", "main");
        String main = commit(repo, "two resources");
        suite = SuiteFixture.startWith(dir, CATALOG.replace("@STATE@", dir.resolve("state").toString()), repo, main, main,
                FAST_ROUNDS);
        runs = new CliRuns(suite);
        return main;
    }

    @Test
    void stateChangedOutsidePortcullisIsDetectedAlertedByAddressAndClearedAfterTheNextApply() throws Exception {
        String main = startOnOneFolder();
        runs.planApproveApply(main, "prod/app");
        awaitSucceededDriftCheck("a check finding no changes after the apply", run -> !run.getPlanSummary().getHasChanges());

        tamper("prod/app", "terraform_data.first", "changed-by-hand");
        AuditEvent detected = awaitDriftEvent("a check finding the change", stored ->
                stored.event().getAction() == AuditAction.AUDIT_ACTION_DRIFT_DETECTED
                        && stored.event().getAttributesOrDefault("plan_update", "").equals("1"));

        assertEquals(SCHEDULER, detected.getActor());
        assertEquals(TARGET, detected.getResource().getId());
        assertEquals("in_sync", detected.getAttributesOrThrow("previous_state"));
        assertEquals(main, detected.getAttributesOrThrow("commit_sha"));
        assertEquals("terraform_data.first", detected.getAttributesOrThrow("addresses"));
        assertEquals("0", detected.getAttributesOrThrow("plan_create"));
        assertEquals("0", detected.getAttributesOrThrow("plan_delete"));
        assertFalse(detected.toString().contains("changed-by-hand"), "a drift event names addresses, never values: " + detected);
        Run check = runs.run(detected.getResource().getRunId());
        assertTrue(check.getDrift());
        assertEquals(SCHEDULER, check.getRequester());
        Alert alert = awaitAlert(detected.getEventId());
        assertEquals(AlertSeverity.ALERT_SEVERITY_MEDIUM, alert.getSeverity());
        assertTrue(alert.toString().contains("terraform_data.first"), alert.toString());
        assertFalse(alert.toString().contains("changed-by-hand"), alert.toString());

        runs.planApproveApply(main, "prod/app");
        long detectedAt = sequenceOf(detected);
        AuditEvent cleared = awaitDriftEvent("a clean check after the second apply", stored ->
                stored.sequence() > detectedAt && stored.event().getAction() == AuditAction.AUDIT_ACTION_DRIFT_CLEARED);

        assertEquals("drifted", cleared.getAttributesOrThrow("previous_state"));
        assertEquals("in_sync", cleared.getAttributesOrThrow("state"));
        assertEquals(TARGET, cleared.getResource().getId());
        assertEquals("first", inputOf("prod/app", "terraform_data.first"));
    }

    @Test
    void anApplyNamingADriftCheckIsRefusedThroughTheGateway() throws Exception {
        String main = startOnOneFolder();
        Run check = awaitSucceededDriftCheck("a drift check that planned", run -> true);

        CliRuns.Result refused = runs.cli("admin", "apply", "--repo", "example", "--commit", main, "--ref",
                "refs/heads/main", "--folder", "prod/app", "--env", "prod", "--plan-run", check.getRunId(), "--no-follow");

        assertEquals(1, refused.exit(), refused.out() + refused.err());
        assertTrue(refused.err().contains("FAILED_PRECONDITION (DRIFT_RUN_NOT_APPLICABLE)"), refused.err());
        assertEquals(List.of(), runs(Optional.of(false)), "no run but drift checks was made");
        await("the refusal on the audit record").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
                .until(() -> refusalsAudited(ADMIN) == 1);
    }

    // ---- what the suite recorded

    private record Stored(long sequence, AuditEvent event) {}

    private final List<Stored> seen = new ArrayList<>();

    private long sequenceOf(AuditEvent event) {
        return seen.stream().filter(stored -> stored.event().getEventId().equals(event.getEventId())).findFirst()
                .orElseThrow().sequence();
    }

    /** The first drift event of the target matching {@code wanted}, waiting for the audit record to hold one. */
    private AuditEvent awaitDriftEvent(String what, Predicate<Stored> wanted) {
        AtomicReference<AuditEvent> found = new AtomicReference<>();
        await(what).atMost(CHECK_WAIT).pollInterval(Duration.ofMillis(250)).until(() -> {
            List<Stored> events = driftEvents();
            seen.clear();
            seen.addAll(events);
            events.stream().filter(wanted).findFirst().ifPresent(stored -> found.set(stored.event()));
            return found.get() != null;
        });
        return found.get();
    }

    private List<Stored> driftEvents() {
        return suite.auditEvents(List.of(AuditAction.AUDIT_ACTION_DRIFT_DETECTED, AuditAction.AUDIT_ACTION_DRIFT_CLEARED,
                AuditAction.AUDIT_ACTION_DRIFT_CHECK_FAILED)).stream()
                .map(stored -> new Stored(stored.getSequence(), stored.getEvent())).toList();
    }

    /** Submissions by {@code actor} the audit record holds as refused for naming a drift check. */
    private long refusalsAudited(String actor) {
        List<AuditEvent> events = new ArrayList<>();
        AuditServiceGrpc.newBlockingStub(suite.channel("audit", "auditor")).withDeadlineAfter(30, TimeUnit.SECONDS)
                .query(QueryRequest.newBuilder().setActor(actor).addActions(AuditAction.AUDIT_ACTION_RUN_SUBMITTED)
                        .setLimit(1000).setBatched(true).build())
                .forEachRemaining(response -> response.getEventsList().forEach(stored -> events.add(stored.getEvent())));
        return events.stream().filter(event -> event.getReason().equals("DRIFT_RUN_NOT_APPLICABLE")).count();
    }

    private Alert awaitAlert(String eventId) {
        AtomicReference<Alert> found = new AtomicReference<>();
        await("the drift_detected alert of event " + eventId).atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(250)).until(() -> {
                    AuditServiceGrpc.newBlockingStub(suite.channel("audit", "auditor"))
                            .withDeadlineAfter(30, TimeUnit.SECONDS)
                            .listAlerts(ListAlertsRequest.newBuilder().setRule("drift_detected").setPageSize(500).build())
                            .getAlertsList().stream().filter(alert -> alert.getEventIdsList().contains(eventId))
                            .findFirst().ifPresent(found::set);
                    return found.get() != null;
                });
        return found.get();
    }

    private List<Run> runs(Optional<Boolean> drift) {
        ListRunsRequest.Builder request = ListRunsRequest.newBuilder().setRepo("example").setPageSize(100);
        drift.ifPresent(request::setDrift);
        return suite.gateway("admin").listRuns(request.build()).getRunsList();
    }

    /** A succeeded drift check of the target matching {@code wanted}, waiting for one. */
    private Run awaitSucceededDriftCheck(String what, Predicate<Run> wanted) {
        AtomicReference<Run> found = new AtomicReference<>();
        await(what).atMost(CHECK_WAIT).pollInterval(Duration.ofMillis(250)).until(() -> {
            runs(Optional.of(true)).stream().filter(run -> run.getState() == RunState.RUN_STATE_SUCCEEDED)
                    .filter(wanted).findFirst().ifPresent(found::set);
            return found.get() != null;
        });
        return found.get();
    }

    // ---- the change made by hand

    /** Sets {@code address}'s input (and output) in {@code folder}'s state, as an edit outside Portcullis would. */
    private void tamper(String folder, String address, String value) throws Exception {
        Path state = TerraformFolders.stateFile(dir.resolve("state"), folder);
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = (ObjectNode) json.readTree(state.toFile());
        ObjectNode attributes = attributesOf(root, address);
        for (String name : List.of("input", "output")) {
            ObjectNode typed = json.createObjectNode().put("value", value).put("type", "string");
            attributes.set(name, typed);
        }
        root.put("serial", root.get("serial").asLong() + 1);
        // replaced in one step, so a check planning now reads the old state or the new one, never half of it
        Path edited = state.resolveSibling("terraform.tfstate.edited");
        Files.writeString(edited, json.writerWithDefaultPrettyPrinter().writeValueAsString(root), UTF_8);
        Files.move(edited, state, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private String inputOf(String folder, String address) throws Exception {
        ObjectNode root = (ObjectNode) new ObjectMapper().readTree(TerraformFolders.stateFile(dir.resolve("state"), folder)
                .toFile());
        return attributesOf(root, address).get("input").get("value").asText();
    }

    private static ObjectNode attributesOf(ObjectNode state, String address) {
        for (var resource : state.get("resources")) {
            if ((resource.get("type").asText() + "." + resource.get("name").asText()).equals(address)) {
                return (ObjectNode) resource.get("instances").get(0).get("attributes");
            }
        }
        throw new AssertionError("no " + address + " in the state: " + state);
    }
}
