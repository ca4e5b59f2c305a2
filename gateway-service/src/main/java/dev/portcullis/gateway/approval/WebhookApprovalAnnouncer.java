package dev.portcullis.gateway.approval;

import static java.util.Objects.requireNonNull;

import dev.portcullis.gateway.run.ApprovalAnnouncer;
import dev.portcullis.gateway.run.PlanSummary;
import dev.portcullis.gateway.run.Run;
import dev.portcullis.gateway.run.RunSpec;
import dev.portcullis.runtime.chat.ChatWebhook;
import dev.portcullis.runtime.retry.Backoff;
import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Announces runs waiting for approval to chat webhooks (Slack-compatible): repo, commit, folder,
 * environment, requester, and for an apply the plan digest to approve and, as Slack blocks, what
 * the plan would do: its counts and the first {@link #LISTED} resources (address, type, actions;
 * never a value, which the summary does not hold). When the web console's URL is configured, the
 * announcement links the run's page on the console, where the approver signs in and approves (the
 * link carries the run id only). Posts in the background with a few retries; an
 * announcement that cannot be delivered is logged, never blocks a run.
 */
public final class WebhookApprovalAnnouncer implements ApprovalAnnouncer, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(WebhookApprovalAnnouncer.class);
    private static final int ATTEMPTS = 4;
    /** 1 s, 3 s, 9 s between the attempts. */
    private static final Backoff RETRIES = new Backoff(Duration.ofSeconds(1), 3, Duration.ofSeconds(9), new Backoff.Jitter.None(),
            ATTEMPTS);

    /** How many of a plan's resources an announcement lists. */
    static final int LISTED = 10;
    private static final int MAX_ADDRESS = 200;

    private final List<ChatWebhook> webhooks;
    private final Function<Run, String> planSummary;
    private final Function<Run, Optional<PlanSummary>> planChanges;
    private final Function<Run, Optional<URI>> approvalPage;
    private final Clock clock;
    private final ExecutorService sender = Executors.newSingleThreadExecutor(runnable -> {
        Thread thread = new Thread(runnable, "approval-announcer");
        thread.setDaemon(true);
        return thread;
    });

    /**
     * @param planSummary for an apply: the plan it applies, in words (digest and size)
     * @param planChanges for an apply: the summary of the plan it applies, when its command declares {@code summary:}
     * @param approvalPage the run's page on the web console, when a console is configured
     */
    public WebhookApprovalAnnouncer(List<ChatWebhook> webhooks, Function<Run, String> planSummary,
            Function<Run, Optional<PlanSummary>> planChanges, Function<Run, Optional<URI>> approvalPage, Clock clock) {
        this.webhooks = List.copyOf(webhooks);
        this.planSummary = requireNonNull(planSummary, "planSummary is null");
        this.planChanges = requireNonNull(planChanges, "planChanges is null");
        this.approvalPage = requireNonNull(approvalPage, "approvalPage is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /** An announcer that links no console page. */
    public WebhookApprovalAnnouncer(List<ChatWebhook> webhooks, Function<Run, String> planSummary,
            Function<Run, Optional<PlanSummary>> planChanges, Clock clock) {
        this(webhooks, planSummary, planChanges, run -> Optional.empty(), clock);
    }

    /** An announcer that shows no plan summary. */
    public WebhookApprovalAnnouncer(List<ChatWebhook> webhooks, Function<Run, String> planSummary, Clock clock) {
        this(webhooks, planSummary, run -> Optional.empty(), clock);
    }

    @Override
    public void announce(Run run) {
        if (webhooks.isEmpty()) {
            return;
        }
        ChatWebhook.Message message = message(run);
        for (ChatWebhook webhook : webhooks) {
            try {
                sender.execute(() -> deliver(webhook, message, run));
            } catch (RejectedExecutionException e) {
                log.atWarn().addKeyValue("run_id", run.id().value()).log("approval.announce_dropped_on_shutdown");
            }
        }
    }

    ChatWebhook.Message message(Run run) {
        RunSpec spec = run.spec();
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("run", run.id().value());
        fields.put("repo", spec.repo().value());
        fields.put("commit", spec.commit().value());
        fields.put("ref", spec.ref().value());
        fields.put("folder", spec.folder().value());
        fields.put("environment", spec.environment().value());
        fields.put("command", spec.command().value());
        fields.put("requester", run.requester().value());
        fields.put("approvals required", Integer.toString(run.decision().requiredApprovals()));
        String plan = planSummary.apply(run);
        if (!plan.isEmpty()) {
            fields.put("plan", plan);
        }
        run.approvalDeadline().ifPresent(deadline -> fields.put("approve before", deadline.toString()));
        Optional<URI> page = approvalPage.apply(run);
        page.ifPresent(link -> fields.put("approval page", link.toString()));
        String text = "Portcullis: " + spec.command() + " of " + spec.repo() + " '" + spec.folder() + "' in "
                + spec.environment() + " waits for approval (portcullis approve " + run.id() + ")"
                + page.map(link -> ": " + link).orElse("");
        return new ChatWebhook.Message(text, "warning", fields, "Portcullis run " + run.id(), clock.instant(),
                blocks(run, text));
    }

    /** The message's blocks: what waits, and for an apply what its plan would do. */
    private List<ChatWebhook.Section> blocks(Run run, String text) {
        if (run.spec().planRun().isEmpty()) {
            return List.of();
        }
        List<ChatWebhook.Section> blocks = new ArrayList<>();
        blocks.add(new ChatWebhook.Section(text));
        Optional<PlanSummary> summary = planChanges.apply(run);
        if (summary.isEmpty()) {
            blocks.add(new ChatWebhook.Section("*Plan:* no summary: the plan command declares no `summary:`"));
            return blocks;
        }
        PlanSummary plan = summary.get();
        blocks.add(new ChatWebhook.Section("*Plan:* " + counts(plan)));
        if (!plan.changes().isEmpty()) {
            StringBuilder listed = new StringBuilder();
            plan.changes().stream().limit(LISTED).forEach(change -> listed.append("\u2022 `")
                    .append(cut(change.address())).append("` (").append(cut(change.type())).append("): ")
                    .append(String.join(", ", change.actions()))
                    .append(change.previousAddress().isEmpty() ? "" : ", moved from `" + cut(change.previousAddress()) + "`")
                    .append(change.importing() ? ", imported" : "").append('\n'));
            long more = plan.changes().size() - Math.min(LISTED, plan.changes().size()) + plan.changesNotListed();
            if (more > 0) {
                listed.append("\u2026 and ").append(more).append(" more (portcullis runs show ")
                        .append(run.spec().planRun().get()).append(')');
            }
            blocks.add(new ChatWebhook.Section(listed.toString().stripTrailing()));
        }
        return blocks;
    }

    /** "2 to create, 0 to update, 1 to replace, 0 to delete", or "no changes". */
    static String counts(PlanSummary plan) {
        if (!plan.hasChanges()) {
            return "no changes";
        }
        PlanSummary.Counts c = plan.counts();
        String line = c.create() + " to create, " + c.update() + " to update, " + c.replace() + " to replace, " + c.delete()
                + " to delete";
        line += c.imports() > 0 ? ", " + c.imports() + " to import" : "";
        line += c.moves() > 0 ? ", " + c.moves() + " to move" : "";
        line += c.forget() > 0 ? ", " + c.forget() + " to forget" : "";
        return line;
    }

    private static String cut(String name) {
        return name.length() <= MAX_ADDRESS ? name : name.substring(0, MAX_ADDRESS - 1) + "\u2026";
    }

    private void deliver(ChatWebhook webhook, ChatWebhook.Message message, Run run) {
        for (int attempt = 1; ; attempt++) {
            try {
                webhook.post(message);
                return;
            } catch (IOException e) {
                log.atWarn().addKeyValue("run_id", run.id().value()).addKeyValue("attempt", attempt)
                        .addKeyValue("error", e.getMessage()).log("approval.announce_failed");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (!RETRIES.retriesAfter(attempt)) {
                return;
            }
            try {
                Thread.sleep(RETRIES.delay(attempt).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    @Override
    public void close() {
        sender.shutdown();
        try {
            sender.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
