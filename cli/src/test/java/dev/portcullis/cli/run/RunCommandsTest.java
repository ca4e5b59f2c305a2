package dev.portcullis.cli.run;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.portcullis.cli.command.ExitStatus;
import dev.portcullis.cli.Portcullis;
import dev.portcullis.runtime.testing.SeveringProxy;
import dev.portcullis.v1.GetRunRequest;
import dev.portcullis.v1.Run;
import dev.portcullis.v1.RunState;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.ForwardingClientCallListener;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The run commands a CI job and an approver use, as processes see them (arguments in; stdout,
 * stderr and exit status out), against the suite exactly as {@code portcullis dev} runs it: the
 * dev catalog and the demo repository, whose plan writes plan.out and whose apply prints it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RunCommandsTest {
    private static final Duration PATIENCE = Duration.ofSeconds(60);
    private static final Duration POLL = Duration.ofMillis(20);

    @TempDir
    static Path dir;

    private SuiteFixture suite;
    /** A plan of prod/app on main that succeeded, and its plan's digest: what the applies apply. */
    private String prodPlan;
    private String prodPlanDigest;
    private final ExecutorService background = Executors.newCachedThreadPool();

    @BeforeAll
    void start() throws Exception {
        // relative, as `portcullis dev`'s default data directory (.portcullis) is
        suite = SuiteFixture.startOnDemo(Path.of("").toAbsolutePath().relativize(dir));
        Result plan = cli("ci", submit("plan", suite.mainCommit, "refs/heads/main", "prod/app", "prod", "--no-follow"));
        assertEquals(0, plan.exit(), plan.stderr());
        prodPlan = plan.stdout().strip();
        prodPlanDigest = suite.awaitState(prodPlan, RunState.RUN_STATE_SUCCEEDED).getPlanArtifact().getSha256();
    }

    @AfterAll
    void stop() {
        background.shutdownNow();
        suite.close();
    }

    /** What a command printed and returned. Its writers may be read while it runs. */
    record Result(int exit, StringWriter out, StringWriter err) {
        String stdout() {
            return out.toString();
        }

        String stderr() {
            return err.toString();
        }
    }

    private Result cli(String member, String... args) {
        return cli(member, "localhost:" + suite.dev.ports().get("gateway"), new StringWriter(), new StringWriter(), args);
    }

    private Result cli(String member, String gateway, StringWriter out, StringWriter err, String... args) {
        List<String> line = new ArrayList<>(List.of(args));
        if ((args[0].equals("plan") || args[0].equals("apply")) && !line.contains("--request-key")) {
            line.addAll(List.of("--request-key", "test-" + UUID.randomUUID())); // independent of any CI variables around
        }
        line.addAll(List.of("--gateway-addr", gateway, "--ca-file", suite.dev.pki().caFile().toString(),
                "--cert-file", suite.dev.pki().certFile(member).toString(), "--key-file", suite.dev.pki().keyFile(member).toString()));
        CommandLine command = Portcullis.commandLine();
        command.setOut(new PrintWriter(out, true));
        command.setErr(new PrintWriter(err, true));
        int exit = command.execute(line.toArray(String[]::new));
        return new Result(exit, out, err);
    }

    private String[] submit(String command, String commit, String ref, String folder, String environment, String... more) {
        List<String> args = new ArrayList<>(List.of(command, "--repo", "example", "--commit", commit, "--ref", ref,
                "--folder", folder, "--env", environment));
        args.addAll(List.of(more));
        return args.toArray(String[]::new);
    }

    private String prodApplyAwaitingApproval() {
        Result submitted = cli("ci", submit("apply", suite.mainCommit, "refs/heads/main", "prod/app", "prod", "--no-follow",
                "--plan-run", prodPlan));
        assertEquals(0, submitted.exit(), submitted.stderr());
        String runId = submitted.stdout().strip();
        assertEquals(RunState.RUN_STATE_AWAITING_APPROVAL, run(runId).getState());
        return runId;
    }

    private Run run(String runId) {
        return suite.gateway("ci").getRun(GetRunRequest.newBuilder().setRunId(runId).build()).getRun();
    }

    private static int count(String text, String part) {
        int count = 0;
        for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + 1)) {
            count++;
        }
        return count;
    }

    @Test
    void planPrintsTheLogOnStdoutStateChangesOnStderrAndExitsZeroWhenTheRunSucceeds() {
        Result plan = cli("ci", submit("plan", suite.branchCommit, "refs/heads/feature/demo", "stage/app", "stage"));

        assertEquals(0, plan.exit(), plan.stderr());
        assertTrue(plan.stdout().contains("demo plan for environment stage"), plan.stdout());
        assertTrue(plan.stdout().contains("~ image = demo-app:1.1"), "the branch's commit was planned: " + plan.stdout());
        assertTrue(plan.stdout().contains("saved to plan.out"), plan.stdout());
        assertFalse(plan.stdout().contains("SUCCEEDED"), "state changes stay off stdout: " + plan.stdout());
        assertTrue(plan.stderr().contains("is SUCCEEDED (exit code 0)"), plan.stderr());
    }

    @Test
    void aDeniedApplyExitsTwoAndNamesEveryReason() {
        Result apply = cli("ci", submit("apply", suite.branchCommit, "refs/heads/feature/demo", "stage/app", "stage"));

        assertEquals(2, apply.exit(), apply.stderr());
        assertTrue(apply.stderr().contains("REF_NOT_ALLOWED"), apply.stderr());
        assertTrue(apply.stderr().contains("PLAN_REQUIRED"), apply.stderr());
        assertTrue(apply.stderr().contains("refs/heads/feature/demo"), apply.stderr());
        assertTrue(apply.stderr().contains("is DENIED"), apply.stderr());
        assertEquals("", apply.stdout());
    }

    @Test
    void aRunWhoseCommandFailsExitsFour() {
        Result plan = cli("ci", submit("plan", suite.mainCommit, "refs/heads/main", "stage/missing", "stage"));

        assertEquals(4, plan.exit(), plan.stdout() + plan.stderr());
        assertTrue(plan.stderr().contains("is FAILED"), plan.stderr());
    }

    @Test
    void aMalformedCommitIsRefusedBeforeAnythingIsSentAsAUsageError() {
        // nothing listens on this address: reaching for the gateway would fail differently
        Result plan = cli("ci", "localhost:1", new StringWriter(), new StringWriter(),
                submit("plan", "ABC123", "refs/heads/main", "../etc", "stage"));

        assertEquals(ExitStatus.USAGE.code(), plan.exit(), plan.stderr());
        assertTrue(plan.stderr().contains("--commit: must be a full commit SHA: 40 lowercase hexadecimal characters"),
                plan.stderr());
        assertTrue(plan.stderr().contains("--folder: "), "every bad option is named: " + plan.stderr());
        assertFalse(plan.stderr().contains("UNAVAILABLE"), plan.stderr());
    }

    @Test
    void aMissingRequiredOptionIsAUsageError() {
        Result plan = cli("ci", "plan", "--repo", "example", "--commit", suite.mainCommit, "--ref", "refs/heads/main",
                "--folder", "stage/app");

        assertEquals(ExitStatus.USAGE.code(), plan.exit(), plan.stderr());
        assertTrue(plan.stderr().contains("--env"), plan.stderr());
    }

    @Test
    void applyWaitsForApprovalShowingTheApproveLineAndSucceedsOnceApproved() throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        String gateway = "localhost:" + suite.dev.ports().get("gateway");
        Future<Result> apply = background.submit(() -> cli("ci", gateway, out, err,
                submit("apply", suite.mainCommit, "refs/heads/main", "prod/app", "prod", "--plan-run", prodPlan)));
        await("the approve line is printed").atMost(PATIENCE).pollInterval(POLL)
                .until(() -> err.toString().contains("  portcullis approve "));
        String approveLine = err.toString().split("  portcullis approve ")[1].lines().findFirst().orElseThrow().strip();
        String runId = approveLine.split(" ")[0];

        Result byRequester = cli("ci", "approve", runId, "--plan-digest", prodPlanDigest);
        Result approved = cli("approver", "approve", runId, "--plan-digest", prodPlanDigest, "--comment", "looks right");

        assertEquals(runId + " --plan-digest " + prodPlanDigest, approveLine);
        assertEquals(1, byRequester.exit(), byRequester.stderr());
        assertTrue(byRequester.stderr().contains("PERMISSION_DENIED (ROLE_REQUIRED)"), byRequester.stderr());
        assertEquals(0, approved.exit(), approved.stderr());
        assertTrue(approved.stdout().contains("approved run " + runId + " (1 of 1 approvals)"), approved.stdout());
        Result ended = apply.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        assertEquals(0, ended.exit(), ended.stderr());
        assertTrue(ended.stdout().contains("demo apply of plan.out"), ended.stdout());
        assertTrue(ended.stdout().contains("~ replicas = 3"), "the approved prod plan was applied: " + ended.stdout());
        assertTrue(ended.stderr().contains("is AWAITING_APPROVAL"), ended.stderr());
    }

    @Test
    void aWatcherThatLosesTheGatewayResumesFromItsOffsetMissingNothingAndPrintingNothingTwice() throws Exception {
        String runId = prodApplyAwaitingApproval();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        try (SeveringProxy proxy = new SeveringProxy(suite.dev.ports().get("gateway"))) {
            Future<Result> watch = background.submit(() -> cli("ci", "localhost:" + proxy.port(), out, err,
                    "runs", "watch", runId));
            await("the watcher saw the run wait").atMost(PATIENCE).pollInterval(POLL)
                    .until(() -> err.toString().contains("  portcullis approve " + runId));

            proxy.sever();
            await("the watcher reconnected").atMost(PATIENCE).pollInterval(POLL)
                    .until(() -> proxy.accepted() >= 2);
            assertEquals(0, cli("approver", "approve", runId, "--plan-digest", prodPlanDigest).exit());

            Result ended = watch.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            assertEquals(0, ended.exit(), ended.stderr());
            assertTrue(ended.stderr().contains("lost the gateway"), ended.stderr());
            assertEquals(1, count(ended.stderr(), "is AWAITING_APPROVAL"), ended.stderr());
            assertEquals(1, count(ended.stderr(), "is RUNNING"), ended.stderr());
            assertEquals(1, count(ended.stdout(), "demo apply of plan.out"), ended.stdout());
        }
    }

    @Test
    void aWatcherGivesUpAfterItsReconnectAttemptsWithExitOneSayingHowToResume() throws Exception {
        String runId = prodApplyAwaitingApproval();
        int closed;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = socket.getLocalPort();
        }

        Result watch = cli("ci", "localhost:" + closed, new StringWriter(), new StringWriter(),
                "runs", "watch", runId, "--reconnect-attempts", "1");

        assertEquals(1, watch.exit(), watch.stderr());
        assertTrue(watch.stderr().contains("attempt 1 of 1"), watch.stderr());
        assertTrue(watch.stderr().contains("gave up after 1 reconnect attempt(s). Resume with: portcullis runs watch "
                + runId + " --from 0"), watch.stderr());
    }

    @Test
    void aRejectedRunEndsRejectedAndItsWatcherExitsThree() {
        String runId = prodApplyAwaitingApproval();

        Result withoutReason = cli("approver", "reject", runId);
        Result rejected = cli("approver", "reject", runId, "--reason", "not this week");
        Result watch = cli("ci", "runs", "watch", runId);

        assertEquals(ExitStatus.USAGE.code(), withoutReason.exit(), withoutReason.stderr());
        assertEquals(0, rejected.exit(), rejected.stderr());
        assertTrue(rejected.stdout().contains("it is REJECTED"), rejected.stdout());
        assertEquals(3, watch.exit(), watch.stderr());
        assertTrue(watch.stderr().contains("is REJECTED: rejected by spiffe://portcullis.dev/human/approver: not this week"),
                watch.stderr());
    }

    @Test
    void aCancelledRunEndsCancelledAndItsWatcherExitsFive() {
        String runId = prodApplyAwaitingApproval();

        Result cancelled = cli("ci", "cancel", runId, "--reason", "superseded");
        Result watch = cli("ci", "runs", "watch", runId);

        assertEquals(0, cancelled.exit(), cancelled.stderr());
        assertTrue(cancelled.stdout().contains("it is CANCELLED"), cancelled.stdout());
        assertEquals(5, watch.exit(), watch.stderr());
    }

    @Test
    void watchingACancelledRunPrintsNoApproveHint() {
        String runId = prodApplyAwaitingApproval();
        assertEquals(0, cli("ci", "cancel", runId, "--reason", "superseded").exit());

        Result watch = cli("ci", "runs", "watch", runId);

        assertEquals(ExitStatus.CANCELLED.code(), watch.exit(), watch.stderr());
        assertTrue(watch.stderr().contains("is AWAITING_APPROVAL"), "the history is shown: " + watch.stderr());
        assertFalse(watch.stderr().contains("portcullis approve"), watch.stderr());
        assertFalse(watch.stderr().contains("an approver"), watch.stderr());
        assertFalse(watch.stderr().contains("\tat "), watch.stderr());
    }

    /** Follows {@code runId} as runs watch does, with a status interval the CLI would refuse as too short. */
    private Future<Run> follow(String runId, Duration statusInterval, ManagedChannel channel, StringWriter err) {
        return background.submit(() -> new RunFollower(channel, new ReconnectPolicy(), statusInterval,
                new PrintWriter(new StringWriter(), true), new PrintWriter(err, true)).follow(runId, 0));
    }

    @Test
    void aWaitingRunsStatusIsPrintedAgainEveryInterval() throws Exception {
        String runId = prodApplyAwaitingApproval();
        StringWriter err = new StringWriter();
        Future<Run> watch = follow(runId, Duration.ofMillis(50), suite.channel("gateway", "ci"), err);

        await("the waiting status is printed twice").atMost(PATIENCE).pollInterval(POLL)
                .until(() -> count(err.toString(), "is still AWAITING_APPROVAL") >= 2);
        assertEquals(0, cli("ci", "cancel", runId, "--reason", "seen enough").exit());

        Run ended = watch.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        assertEquals(RunState.RUN_STATE_CANCELLED, ended.getState(), err.toString());
        assertTrue(err.toString().matches("(?s).*portcullis: run " + runId + " is still AWAITING_APPROVAL since \\S+:"
                + " 1 more approval\\(s\\) needed \\(0 of 1\\), the approval window closes at \\S+.*"), err.toString());
        assertFalse(err.toString().contains("\tat "), err.toString());
    }

    @Test
    void noReminderIsPrintedAfterTheRunsEndThoughTheGatewaySaidWaitingBefore() throws Exception {
        String runId = prodApplyAwaitingApproval();
        CountDownLatch reminderAnswered = new CountDownLatch(1);
        CountDownLatch endPrinted = new CountDownLatch(1);
        AtomicReference<Thread> reminder = new AtomicReference<>();
        StringWriter err = new StringWriter() {
            @Override
            public void flush() {
                if (toString().contains(" is CANCELLED")) {
                    endPrinted.countDown();
                }
            }
        };
        // the first reminder hears AWAITING_APPROVAL only once the run's end has been printed
        ClientInterceptor holdFirstReminder = new ClientInterceptor() {
            @Override
            public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
                ClientCall<Q, R> call = next.newCall(method, options);
                if (!Thread.currentThread().getName().equals(RunFollower.REMINDER_THREAD)
                        || !reminder.compareAndSet(null, Thread.currentThread())) {
                    return call;
                }
                return new ForwardingClientCall.SimpleForwardingClientCall<>(call) {
                    @Override
                    public void start(Listener<R> listener, Metadata headers) {
                        super.start(new ForwardingClientCallListener.SimpleForwardingClientCallListener<>(listener) {
                            @Override
                            public void onMessage(R message) {
                                reminderAnswered.countDown();
                                try {
                                    endPrinted.await(PATIENCE.toSeconds(), TimeUnit.SECONDS);
                                } catch (InterruptedException e) {
                                    Thread.currentThread().interrupt();
                                }
                                super.onMessage(message);
                            }
                        }, headers);
                    }
                };
            }
        };
        Future<Run> watch = follow(runId, Duration.ofMillis(10), suite.channel("gateway", "ci", holdFirstReminder), err);
        assertTrue(reminderAnswered.await(PATIENCE.toSeconds(), TimeUnit.SECONDS));

        assertEquals(0, cli("ci", "cancel", runId, "--reason", "superseded").exit());
        Run ended = watch.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        reminder.get().join(PATIENCE.toMillis()); // whatever the held reminder was going to print, it has

        String printed = err.toString();
        assertEquals(RunState.RUN_STATE_CANCELLED, ended.getState(), printed);
        assertFalse(printed.substring(printed.indexOf(" is CANCELLED")).contains("is still AWAITING_APPROVAL"), printed);
        assertFalse(reminder.get().isAlive(), "follow returned with its reminder thread still running");
    }

    @Test
    void aStatusIntervalBelowOneSecondIsAUsageError() {
        Result watch = cli("ci", "runs", "watch", UUID.randomUUID().toString(), "--status-interval", "500ms");

        assertEquals(ExitStatus.USAGE.code(), watch.exit(), watch.stderr());
        assertTrue(watch.stderr().contains("--status-interval: must be 0 (never) or at least 1s"), watch.stderr());
    }

    @Test
    void aRetriedSubmitWithTheSameRequestKeyFollowsTheSameRun() {
        String key = "ci-job-7-attempt-1-" + UUID.randomUUID();
        String[] plan = submit("plan", suite.mainCommit, "refs/heads/main", "stage/app", "stage", "--no-follow", "--request-key", key);

        Result first = cli("ci", plan);
        Result retry = cli("ci", plan);

        assertEquals(0, retry.exit(), retry.stderr());
        assertEquals(first.stdout(), retry.stdout());
        assertTrue(first.stdout().strip().matches("[0-9a-f-]{36}"), first.stdout());
    }

    @Test
    void runsListPrintsATableOrJsonLinesFilteredByState() {
        String awaiting = prodApplyAwaitingApproval();

        Result table = cli("auditor", "runs", "list", "--env", "prod", "--state", "awaiting_approval");
        Result json = cli("auditor", "runs", "list", "--state", "AWAITING_APPROVAL", "--json", "--limit", "1");
        Result badState = cli("auditor", "runs", "list", "--state", "sleeping");

        assertEquals(0, table.exit(), table.stderr());
        List<String> rows = table.stdout().lines().toList();
        assertTrue(rows.get(0).startsWith("RUN "), table.stdout());
        assertTrue(rows.stream().skip(1).allMatch(row -> row.contains(" AWAITING_APPROVAL ") && row.contains(" prod ")),
                table.stdout());
        assertTrue(table.stdout().contains(awaiting), table.stdout());
        assertEquals(0, json.exit(), json.stderr());
        assertEquals(1, json.stdout().lines().count(), json.stdout());
        assertTrue(json.stdout().startsWith("{\"runId\":\"" + awaiting + "\""), "newest first: " + json.stdout());
        assertEquals(ExitStatus.USAGE.code(), badState.exit());
        assertTrue(badState.stderr().contains("--state: must be one of"), badState.stderr());
    }

    @Test
    void runsShowPrintsTheDecisionAndTheApprovals() throws Exception {
        String runId = prodApplyAwaitingApproval();
        assertEquals(0, cli("approver", "approve", runId, "--plan-digest", prodPlanDigest, "--comment", "ship it").exit());

        Result show = cli("ci", "runs", "show", runId);

        assertEquals(0, show.exit(), show.stderr());
        assertTrue(show.stdout().contains("ALLOW by catalog"), show.stdout());
        assertTrue(show.stdout().contains("APPROVALS_REQUIRED"), show.stdout());
        assertTrue(show.stdout().contains("spiffe://portcullis.dev/human/approver at "), show.stdout());
        assertTrue(show.stdout().contains(" for plan " + prodPlanDigest + ": ship it"), show.stdout());
        assertTrue(show.stdout().contains("(applies plan run " + prodPlan + ")"), show.stdout());
        assertTrue(show.stdout().contains(suite.mainCommit + "  (refs/heads/main)"), show.stdout());
    }

    @Test
    void approveWithoutADigestShowsThePlanAndApprovesNothing() {
        String runId = prodApplyAwaitingApproval();

        Result shown = cli("approver", "approve", runId);
        Result wrongPlan = cli("approver", "approve", runId, "--plan-digest", "0".repeat(64));

        assertEquals(1, shown.exit(), shown.stderr());
        assertTrue(shown.stderr().contains("applies the plan made by run " + prodPlan), shown.stderr());
        assertTrue(shown.stderr().contains("plan digest   " + prodPlanDigest), shown.stderr());
        assertTrue(shown.stderr().contains("nothing approved"), shown.stderr());
        assertTrue(shown.stderr().contains("  portcullis approve " + runId + " --plan-digest " + prodPlanDigest), shown.stderr());
        assertEquals(1, wrongPlan.exit(), wrongPlan.stderr());
        assertTrue(wrongPlan.stderr().contains("PLAN_DIGEST_MISMATCH"), wrongPlan.stderr());
        assertEquals(RunState.RUN_STATE_AWAITING_APPROVAL, run(runId).getState());
        assertEquals(0, run(runId).getApprovalsCount());
    }

    @Test
    void anApplyOfAFailedPlanIsRefusedWithExitOneAndTheReason() throws Exception {
        Result plan = cli("ci", submit("plan", suite.mainCommit, "refs/heads/main", "stage/missing", "stage", "--no-follow"));
        String planRun = plan.stdout().strip();
        suite.awaitState(planRun, RunState.RUN_STATE_FAILED);

        Result apply = cli("ci", submit("apply", suite.mainCommit, "refs/heads/main", "stage/missing", "stage", "--plan-run", planRun));

        assertEquals(1, apply.exit(), apply.stderr());
        assertTrue(apply.stderr().contains("FAILED_PRECONDITION (PLAN_NOT_USABLE)"), apply.stderr());
    }
}
