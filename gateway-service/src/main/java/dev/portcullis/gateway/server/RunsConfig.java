package dev.portcullis.gateway.server;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.bind.annotation.Bindable;
import java.time.Duration;
import java.util.List;

/**
 * How the gateway handles runs. Every key is documented in docs/configuration.md. Webhook URLs usually
 * carry a token, so none is ever quoted in a message.
 *
 * @param approvalTtl how long a run waits for its approvals before it expires
 * @param taskTimeout how long a task may run before the executor stops it
 * @param submitsPerMinute runs one identity may submit per minute, per replica
 * @param maxActiveRuns unfinished runs one identity may have at once
 * @param lease how long a replica's claim on driving a run lasts without renewal; a replica that
 *     dies hands its runs over after this long
 * @param pollInterval how often a replica looks for work other replicas made
 * @param approvalWebhookUrls Slack-compatible incoming webhooks told about runs waiting for approval
 * @param webhookTimeout how long one webhook delivery may take
 * @param taskFollowers how many running tasks one replica copies the logs of at once (a thread each); more
 *     running runs wait, claimed, until a follower is free
 */
@ConfigurationProperties("portcullis.gateway.runs")
public record RunsConfig(
        @Bindable(defaultValue = "24h") Duration approvalTtl,
        @Bindable(defaultValue = "1h") Duration taskTimeout,
        @Bindable(defaultValue = "60") int submitsPerMinute,
        @Bindable(defaultValue = "20") int maxActiveRuns,
        @Bindable(defaultValue = "15s") Duration lease,
        @Bindable(defaultValue = "500ms") Duration pollInterval,
        @Nullable List<String> approvalWebhookUrls,
        @Bindable(defaultValue = "5s") Duration webhookTimeout,
        @Bindable(defaultValue = "64") int taskFollowers) {

    private static final String PREFIX = "portcullis.gateway.runs.";

    public RunsConfig {
        positive("approval-ttl", approvalTtl);
        positive("task-timeout", taskTimeout);
        positive("lease", lease);
        positive("poll-interval", pollInterval);
        positive("webhook-timeout", webhookTimeout);
        if (taskTimeout.compareTo(Duration.ofHours(24)) > 0) {
            throw new IllegalArgumentException(PREFIX + "task-timeout must be at most 24h");
        }
        if (submitsPerMinute < 1 || submitsPerMinute > 100_000) {
            throw new IllegalArgumentException(PREFIX + "submits-per-minute must be between 1 and 100000");
        }
        if (maxActiveRuns < 1 || maxActiveRuns > 100_000) {
            throw new IllegalArgumentException(PREFIX + "max-active-runs must be between 1 and 100000");
        }
        if (pollInterval.compareTo(lease.dividedBy(3)) > 0) {
            throw new IllegalArgumentException(PREFIX + "poll-interval must be at most a third of " + PREFIX + "lease");
        }
        if (taskFollowers < 1 || taskFollowers > 1024) {
            throw new IllegalArgumentException(PREFIX + "task-followers must be between 1 and 1024");
        }
        approvalWebhookUrls = approvalWebhookUrls == null ? List.of() : List.copyOf(approvalWebhookUrls);
    }

    private static void positive(String key, Duration value) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(PREFIX + key + " must be a positive duration");
        }
    }

    @Override
    public String toString() {
        return "RunsConfig[approvalTtl=" + approvalTtl + ", taskTimeout=" + taskTimeout + ", submitsPerMinute="
                + submitsPerMinute + ", maxActiveRuns=" + maxActiveRuns + ", lease=" + lease + ", pollInterval=" + pollInterval
                + ", approvalWebhookUrls=" + approvalWebhookUrls.size() + " configured, taskFollowers=" + taskFollowers + "]";
    }
}
