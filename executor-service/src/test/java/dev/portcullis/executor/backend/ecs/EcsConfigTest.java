package dev.portcullis.executor.backend.ecs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.portcullis.runtime.server.StartupFailure;
import dev.portcullis.runtime.testing.ConfigBinding;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class EcsConfigTest {
    static final String PREFIX = "portcullis.executor.ecs.";

    static Map<String, Object> required() {
        return Map.of(
                PREFIX + "cluster", "portcullis",
                PREFIX + "task-definition", "portcullis-task:7",
                PREFIX + "container-name", "runner",
                PREFIX + "subnets", "subnet-0123456789abcdef0,subnet-0fedcba9876543210",
                PREFIX + "security-groups", "sg-0123456789abcdef0",
                PREFIX + "region", "eu-central-1",
                PREFIX + "log-group", "/portcullis/tasks",
                PREFIX + "log-stream-prefix", "portcullis");
    }

    @Test
    void theRequiredKeysAloneBindWithEveryDefault() {
        EcsConfig config = ConfigBinding.bind(EcsConfig.class, required());

        assertEquals(new EcsConfig("portcullis", "portcullis-task:7", "runner",
                List.of("subnet-0123456789abcdef0", "subnet-0fedcba9876543210"), List.of("sg-0123456789abcdef0"),
                "eu-central-1", "/portcullis/tasks", "portcullis", Duration.ofSeconds(1), Duration.ofSeconds(15), ""), config);
        assertEquals(Optional.empty(), config.endpoint());
    }

    @Test
    void everyKeyIsBound() {
        Map<String, Object> properties = Map.ofEntries(
                Map.entry(PREFIX + "cluster", "arn:aws:ecs:eu-central-1:123456789012:cluster/deploys"),
                Map.entry(PREFIX + "task-definition", "arn:aws:ecs:eu-central-1:123456789012:task-definition/terraform-runner:42"),
                Map.entry(PREFIX + "container-name", "terraform"),
                Map.entry(PREFIX + "subnets", List.of("subnet-0aaaaaaaaaaaaaaaa", "subnet-0bbbbbbbbbbbbbbbb")),
                Map.entry(PREFIX + "security-groups", List.of("sg-0cccccccccccccccc", "sg-0dddddddddddddddd")),
                Map.entry(PREFIX + "region", "us-gov-west-1"),
                Map.entry(PREFIX + "log-group", "/ecs/terraform-runner"),
                Map.entry(PREFIX + "log-stream-prefix", "deploy/runs"),
                Map.entry(PREFIX + "poll-initial", "500ms"),
                Map.entry(PREFIX + "poll-max", "30s"),
                Map.entry(PREFIX + "endpoint-override", "http://127.0.0.1:4566"));

        EcsConfig config = ConfigBinding.bind(EcsConfig.class, properties);

        assertEquals("arn:aws:ecs:eu-central-1:123456789012:cluster/deploys", config.cluster());
        assertEquals("arn:aws:ecs:eu-central-1:123456789012:task-definition/terraform-runner:42", config.taskDefinition());
        assertEquals("terraform-runner", config.taskDefinitionFamily());
        assertEquals("terraform", config.containerName());
        assertEquals(List.of("subnet-0aaaaaaaaaaaaaaaa", "subnet-0bbbbbbbbbbbbbbbb"), config.subnets());
        assertEquals(List.of("sg-0cccccccccccccccc", "sg-0dddddddddddddddd"), config.securityGroups());
        assertEquals("us-gov-west-1", config.region());
        assertEquals("/ecs/terraform-runner", config.logGroup());
        assertEquals("deploy/runs", config.logStreamPrefix());
        assertEquals(Duration.ofMillis(500), config.pollInitial());
        assertEquals(Duration.ofSeconds(30), config.pollMax());
        assertEquals(Optional.of(URI.create("http://127.0.0.1:4566")), config.endpoint());
    }

    static Stream<Arguments> missingKeys() {
        return Stream.of(
                Arguments.of("cluster", PREFIX + "cluster is required: the ECS cluster that runs the tasks"),
                Arguments.of("task-definition", PREFIX + "task-definition is required: the pinned task definition, family:revision"),
                Arguments.of("container-name",
                        PREFIX + "container-name is required: the task definition's container that runs the command"),
                Arguments.of("subnets", PREFIX + "subnets is required: the private subnets of the task"),
                Arguments.of("security-groups", PREFIX + "security-groups is required: the security groups of the task"),
                Arguments.of("region", PREFIX + "region is required: the AWS region, e.g. eu-central-1"),
                Arguments.of("log-group", PREFIX + "log-group is required: the CloudWatch Logs group of the task's awslogs driver"),
                Arguments.of("log-stream-prefix",
                        PREFIX + "log-stream-prefix is required: the awslogs-stream-prefix of the task definition"));
    }

    @ParameterizedTest
    @MethodSource("missingKeys")
    void aMissingRequiredKeyStopsStartupNamingTheProperty(String key, String expected) {
        Map<String, Object> properties = new HashMap<>(required());
        properties.remove(PREFIX + key);

        RuntimeException e = assertThrows(RuntimeException.class, () -> ConfigBinding.bind(EcsConfig.class, properties));

        assertEquals(expected, StartupFailure.describe(e));
    }

    static Stream<Arguments> invalidSettings() {
        return Stream.of(
                Arguments.of("cluster", "a cluster", PREFIX + "cluster must be a cluster name or cluster ARN"),
                Arguments.of("task-definition", "portcullis-task",
                        PREFIX + "task-definition must pin a revision: family:revision or a task definition ARN ending in :revision"),
                Arguments.of("task-definition", "portcullis-task:latest",
                        PREFIX + "task-definition must pin a revision: family:revision or a task definition ARN ending in :revision"),
                Arguments.of("container-name", "run ner", PREFIX + "container-name must be 1 to 255 letters, digits, '-' or '_'"),
                Arguments.of("subnets", "subnet-0123456789abcdef0,vpc-0123456789abcdef0",
                        PREFIX + "subnets[1] must be an id such as subnet-0123456789abcdef0"),
                Arguments.of("security-groups", "default", PREFIX + "security-groups[0] must be an id such as sg-0123456789abcdef0"),
                Arguments.of("security-groups",
                        "sg-00000001,sg-00000002,sg-00000003,sg-00000004,sg-00000005,sg-00000006",
                        PREFIX + "security-groups may name at most 5 ids"),
                Arguments.of("region", "Frankfurt", PREFIX + "region must be an AWS region name such as eu-central-1, was Frankfurt"),
                Arguments.of("log-group", "tasks logs", PREFIX + "log-group must be a CloudWatch Logs group name"),
                Arguments.of("log-stream-prefix", "a:b", PREFIX + "log-stream-prefix must be 1 to 256 characters without ':', '*' or spaces"),
                Arguments.of("poll-initial", "0s", PREFIX + "poll-initial: must be a positive duration (was 0s)"),
                Arguments.of("poll-max", "500ms", PREFIX + "poll-max must be at least " + PREFIX + "poll-initial and at most 5m"),
                Arguments.of("poll-max", "6m", PREFIX + "poll-max must be at least " + PREFIX + "poll-initial and at most 5m"),
                Arguments.of("endpoint-override", "localhost:4566",
                        PREFIX + "endpoint-override must be an absolute http(s):// URL with a host"),
                Arguments.of("endpoint-override", "https://user:pass@ecs.example.com",
                        PREFIX + "endpoint-override must not carry a user name or password"));
    }

    @ParameterizedTest
    @MethodSource("invalidSettings")
    void anInvalidValueStopsStartupNamingTheProperty(String key, String value, String expected) {
        Map<String, Object> properties = new HashMap<>(required());
        properties.put(PREFIX + key, value);

        RuntimeException e = assertThrows(RuntimeException.class, () -> ConfigBinding.bind(EcsConfig.class, properties));

        assertEquals(expected, StartupFailure.describe(e));
    }
}
