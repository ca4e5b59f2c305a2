package dev.portcullis.gateway.server;

import dev.portcullis.runtime.config.PositiveDuration;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.bind.annotation.Bindable;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
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
        @Bindable(defaultValue = "24h") @PositiveDuration Duration approvalTtl,
        @Bindable(defaultValue = "1h") @PositiveDuration(max = "24h") Duration taskTimeout,
        @Bindable(defaultValue = "60") @Min(1) @Max(100_000) int submitsPerMinute,
        @Bindable(defaultValue = "20") @Min(1) @Max(100_000) int maxActiveRuns,
        @Bindable(defaultValue = "15s") @PositiveDuration Duration lease,
        @Bindable(defaultValue = "500ms") @PositiveDuration Duration pollInterval,
        @Nullable List<String> approvalWebhookUrls,
        @Bindable(defaultValue = "5s") @PositiveDuration Duration webhookTimeout,
        @Bindable(defaultValue = "64") @Min(1) @Max(1024) int taskFollowers) {

    private static final String PREFIX = "portcullis.gateway.runs.";

    public RunsConfig {
        if (pollInterval != null && lease != null && pollInterval.compareTo(lease.dividedBy(3)) > 0) {
            throw new IllegalArgumentException(PREFIX + "poll-interval must be at most a third of " + PREFIX + "lease");
        }
        approvalWebhookUrls = approvalWebhookUrls == null ? List.of() : List.copyOf(approvalWebhookUrls);
    }

    @Override
    public String toString() {
        return "RunsConfig[approvalTtl=" + approvalTtl + ", taskTimeout=" + taskTimeout + ", submitsPerMinute="
                + submitsPerMinute + ", maxActiveRuns=" + maxActiveRuns + ", lease=" + lease + ", pollInterval=" + pollInterval
                + ", approvalWebhookUrls=" + approvalWebhookUrls.size() + " configured, taskFollowers=" + taskFollowers + "]";
    }
}
