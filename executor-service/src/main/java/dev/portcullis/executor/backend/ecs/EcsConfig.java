package dev.portcullis.executor.backend.ecs;

import dev.portcullis.runtime.config.PositiveDuration;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.bind.annotation.Bindable;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Where and how the ECS backend runs tasks on Fargate. Every key is documented in docs/configuration.md.
 * Only the endpoint override and the two poll intervals have defaults: everything else names
 * AWS resources that Terraform created, so a missing one stops start-up naming the property.
 *
 * @param cluster short name or ARN of the ECS cluster
 * @param taskDefinition the pinned task definition, {@code family:revision} or its full ARN; a
 *     bare family (which would follow whatever revision is newest) is refused
 * @param containerName the container of the task definition whose command and environment are
 *     overridden, and whose exit code is the task's result
 * @param subnets private subnets the task's network interface is placed in ({@code subnet-…})
 * @param securityGroups security groups of the task's network interface ({@code sg-…}); required,
 *     so that a task never falls back to the VPC's default group
 * @param region AWS region, e.g. {@code eu-central-1}
 * @param logGroup CloudWatch Logs group of the container's {@code awslogs} driver
 * @param logStreamPrefix the driver's {@code awslogs-stream-prefix}; the task's stream is
 *     {@code prefix/containerName/taskId}
 * @param pollInitial first wait between two looks at a task; also the wait after anything changed
 * @param pollMax the longest wait between two looks at a task while nothing changes
 * @param endpointOverride empty (the default) for AWS's endpoints; otherwise one {@code http(s)://}
 *     endpoint that receives both the ECS and the CloudWatch Logs calls (tests)
 */
@ConfigurationProperties("portcullis.executor.ecs")
public record EcsConfig(
        @Nullable String cluster,
        @Nullable String taskDefinition,
        @Nullable String containerName,
        @Nullable List<String> subnets,
        @Nullable List<String> securityGroups,
        @Nullable String region,
        @Nullable String logGroup,
        @Nullable String logStreamPrefix,
        @Bindable(defaultValue = "1s") @PositiveDuration Duration pollInitial,
        @Bindable(defaultValue = "15s") Duration pollMax,
        @Nullable String endpointOverride) {

    private static final String PREFIX = "portcullis.executor.ecs.";
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,255}");
    private static final Pattern CLUSTER_ARN =
            Pattern.compile("arn:aws[a-z-]*:ecs:[a-z0-9-]+:[0-9]{12}:cluster/[A-Za-z0-9_-]{1,255}");
    private static final Pattern PINNED_TASK_DEFINITION = Pattern.compile("[A-Za-z0-9_-]{1,255}:[1-9][0-9]{0,9}");
    private static final Pattern TASK_DEFINITION_ARN = Pattern.compile(
            "arn:aws[a-z-]*:ecs:[a-z0-9-]+:[0-9]{12}:task-definition/[A-Za-z0-9_-]{1,255}:[1-9][0-9]{0,9}");
    private static final Pattern SUBNET = Pattern.compile("subnet-[0-9a-f]{8,17}");
    private static final Pattern SECURITY_GROUP = Pattern.compile("sg-[0-9a-f]{8,17}");
    private static final Pattern REGION = Pattern.compile("[a-z]{2}(-[a-z]+)+-[0-9]{1,2}");
    private static final Pattern LOG_GROUP = Pattern.compile("[A-Za-z0-9._/#-]{1,512}");
    private static final Pattern LOG_STREAM_PREFIX = Pattern.compile("[^:*\\s]{1,256}");

    public EcsConfig {
        cluster = require("cluster", cluster, "the ECS cluster that runs the tasks");
        if (!NAME.matcher(cluster).matches() && !CLUSTER_ARN.matcher(cluster).matches()) {
            throw new IllegalArgumentException(PREFIX + "cluster must be a cluster name or cluster ARN");
        }
        taskDefinition = require("task-definition", taskDefinition, "the pinned task definition, family:revision");
        if (!PINNED_TASK_DEFINITION.matcher(taskDefinition).matches()
                && !TASK_DEFINITION_ARN.matcher(taskDefinition).matches()) {
            throw new IllegalArgumentException(PREFIX
                    + "task-definition must pin a revision: family:revision or a task definition ARN ending in :revision");
        }
        containerName = require("container-name", containerName, "the task definition's container that runs the command");
        if (!NAME.matcher(containerName).matches()) {
            throw new IllegalArgumentException(PREFIX + "container-name must be 1 to 255 letters, digits, '-' or '_'");
        }
        // ECS accepts at most 16 subnets and 5 security groups per task
        subnets = requireList("subnets", subnets, SUBNET, 16, "subnet-", "the private subnets of the task");
        securityGroups = requireList("security-groups", securityGroups, SECURITY_GROUP, 5, "sg-",
                "the security groups of the task");
        region = require("region", region, "the AWS region, e.g. eu-central-1");
        if (!REGION.matcher(region).matches()) {
            throw new IllegalArgumentException(PREFIX + "region must be an AWS region name such as eu-central-1, was " + region);
        }
        logGroup = require("log-group", logGroup, "the CloudWatch Logs group of the task's awslogs driver");
        if (!LOG_GROUP.matcher(logGroup).matches()) {
            throw new IllegalArgumentException(PREFIX + "log-group must be a CloudWatch Logs group name");
        }
        logStreamPrefix = require("log-stream-prefix", logStreamPrefix, "the awslogs-stream-prefix of the task definition");
        if (!LOG_STREAM_PREFIX.matcher(logStreamPrefix).matches()) {
            throw new IllegalArgumentException(PREFIX + "log-stream-prefix must be 1 to 256 characters without ':', '*' or spaces");
        }
        if (pollMax == null || pollInitial != null && pollMax.compareTo(pollInitial) < 0 || pollMax.compareTo(Duration.ofMinutes(5)) > 0) {
            throw new IllegalArgumentException(PREFIX + "poll-max must be at least " + PREFIX + "poll-initial and at most 5m");
        }
        // an absent key binds as null; inside the record it is the empty string
        endpointOverride = endpointOverride == null ? "" : endpointOverride.strip();
        if (!endpointOverride.isEmpty()) {
            parseEndpoint(endpointOverride);
        }
    }

    /** The endpoint override, parsed; empty when AWS's own endpoints are used. */
    public Optional<URI> endpoint() {
        return endpointOverride.isEmpty() ? Optional.empty() : Optional.of(parseEndpoint(endpointOverride));
    }

    /** The task definition family: what {@code ListTasks} filters stopped tasks by. */
    public String taskDefinitionFamily() {
        String familyRevision = taskDefinition.substring(taskDefinition.lastIndexOf('/') + 1);
        return familyRevision.substring(0, familyRevision.lastIndexOf(':'));
    }

    private static String require(String key, String value, String meaning) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(PREFIX + key + " is required: " + meaning);
        }
        return value.strip();
    }

    private static List<String> requireList(String key, List<String> values, Pattern form, int most, String start,
            String meaning) {
        if (values == null || values.isEmpty()) {
            throw new IllegalArgumentException(PREFIX + key + " is required: " + meaning);
        }
        List<String> stripped = values.stream().map(v -> v == null ? "" : v.strip()).toList();
        for (int i = 0; i < stripped.size(); i++) {
            if (!form.matcher(stripped.get(i)).matches()) {
                throw new IllegalArgumentException(PREFIX + key + "[" + i + "] must be an id such as " + start + "0123456789abcdef0");
            }
        }
        if (stripped.size() > most) {
            throw new IllegalArgumentException(PREFIX + key + " may name at most " + most + " ids");
        }
        return List.copyOf(stripped);
    }

    private static URI parseEndpoint(String endpoint) {
        URI uri;
        try {
            uri = new URI(endpoint);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(PREFIX + "endpoint-override is not a valid URL");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!uri.isAbsolute() || uri.getHost() == null || !(scheme.equals("https") || scheme.equals("http"))) {
            throw new IllegalArgumentException(PREFIX + "endpoint-override must be an absolute http(s):// URL with a host");
        }
        if (uri.getRawUserInfo() != null) {
            throw new IllegalArgumentException(PREFIX + "endpoint-override must not carry a user name or password");
        }
        return uri;
    }
}
