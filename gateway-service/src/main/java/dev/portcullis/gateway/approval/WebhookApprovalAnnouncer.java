package dev.portcullis.gateway.approval;

import static java.util.Objects.requireNonNull;

import dev.portcullis.gateway.run.ApprovalAnnouncer;
import dev.portcullis.gateway.run.Run;
import dev.portcullis.gateway.run.RunSpec;
import dev.portcullis.runtime.chat.ChatWebhook;
import dev.portcullis.runtime.retry.Backoff;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Announces runs waiting for approval to chat webhooks (Slack-compatible): repo, commit, folder,
 * environment, requester, and for an apply the plan digest to approve. Posts in the background
 * with a few retries; an announcement that cannot be delivered is logged, never blocks a run.
 */
public final class WebhookApprovalAnnouncer implements ApprovalAnnouncer, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(WebhookApprovalAnnouncer.class);
    private static final int ATTEMPTS = 4;
    /** 1 s, 3 s, 9 s between the attempts. */
    private static final Backoff RETRIES = new Backoff(Duration.ofSeconds(1), 3, Duration.ofSeconds(9), new Backoff.Jitter.None(),
            ATTEMPTS);

    private final List<ChatWebhook> webhooks;
    private final Function<Run, String> planSummary;
    private final Clock clock;
    private final ExecutorService sender = Executors.newSingleThreadExecutor(runnable -> {
        Thread thread = new Thread(runnable, "approval-announcer");
        thread.setDaemon(true);
        return thread;
    });

    /** @param planSummary for an apply: the plan it applies, in words (digest and size) */
    public WebhookApprovalAnnouncer(List<ChatWebhook> webhooks, Function<Run, String> planSummary, Clock clock) {
        this.webhooks = List.copyOf(webhooks);
        this.planSummary = requireNonNull(planSummary, "planSummary is null");
        this.clock = requireNonNull(clock, "clock is null");
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
        String text = "Portcullis: " + spec.command() + " of " + spec.repo() + " '" + spec.folder() + "' in "
                + spec.environment() + " waits for approval (portcullis approve " + run.id() + ")";
        return new ChatWebhook.Message(text, "warning", fields, "Portcullis run " + run.id(), clock.instant());
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
