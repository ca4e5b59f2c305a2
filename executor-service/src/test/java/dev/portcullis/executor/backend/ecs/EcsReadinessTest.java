package dev.portcullis.executor.backend.ecs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.portcullis.runtime.health.Readiness;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
import software.amazon.awssdk.services.ecs.EcsClient;

/** The ECS backend's readiness, through the real AWS SDK against {@link EcsFake} on loopback. */
class EcsReadinessTest {
    private final EcsFake fake = EcsFake.start(EcsTaskRunnerTest.CLUSTER, EcsTaskRunnerTest.LOG_GROUP,
            EcsTaskRunnerTest.STREAM_PREFIX);
    private EcsClient ecs;
    private CloudWatchLogsClient logs;
    private EcsTaskBackend backend;

    @AfterEach
    void closeEverything() {
        backend.close();
        ecs.close();
        logs.close();
        fake.close();
    }

    private EcsTaskBackend backend(String cluster) {
        EcsConfig config = new EcsConfig(cluster, "portcullis-task:7", "runner", List.of("subnet-0123456789abcdef0"),
                List.of("sg-0123456789abcdef0"), EcsFake.REGION, EcsTaskRunnerTest.LOG_GROUP, EcsTaskRunnerTest.STREAM_PREFIX,
                Duration.ofMillis(2), Duration.ofMillis(20), fake.endpoint().toString());
        ecs = EcsSdkClients.ecs(config, EcsTaskRunnerTest.TEST_CREDENTIALS);
        logs = EcsSdkClients.logs(config, EcsTaskRunnerTest.TEST_CREDENTIALS);
        backend = new EcsTaskBackend(new EcsTaskRunner(config, ecs, logs, Clock.systemUTC()));
        return backend;
    }

    @Test
    void readyWhenEcsAnswersForTheClusterWithOneCheapSignedCall() {
        Readiness readiness = backend(EcsTaskRunnerTest.CLUSTER).readiness();

        assertEquals(Readiness.READY, readiness);
        List<EcsFake.Request> calls = fake.requests("ListTasks");
        assertEquals(1, calls.size());
        assertEquals(Map.of("cluster", EcsTaskRunnerTest.CLUSTER, "maxResults", BigDecimal.ONE), calls.get(0).body());
        assertEquals("ecs", calls.get(0).signingService());
    }

    @Test
    void notReadyWhenTheClusterDoesNotExistNamingAwsErrorCodeOnly() {
        Readiness readiness = backend("no-such-cluster").readiness();

        assertEquals(Readiness.notReady("ECS ListTasks for the cluster failed: ClusterNotFoundException"), readiness);
    }

    @Test
    void notReadyWhenTheRoleMayNotListTasks() {
        fake.deny("ListTasks");

        Readiness readiness = backend(EcsTaskRunnerTest.CLUSTER).readiness();

        assertEquals(Readiness.notReady("ECS ListTasks for the cluster failed: AccessDeniedException"), readiness);
    }

    @Test
    void throttlingCountsAsReadySinceEcsAnswered() {
        fake.throttle("ListTasks", 1);

        Readiness readiness = backend(EcsTaskRunnerTest.CLUSTER).readiness();

        assertEquals(Readiness.READY, readiness);
    }

    @Test
    void notReadyWhenEcsCannotBeReached() {
        EcsTaskBackend unreachable = backend(EcsTaskRunnerTest.CLUSTER);
        fake.close();

        Readiness readiness = unreachable.readiness();

        assertEquals(Readiness.notReady("ECS ListTasks for the cluster failed: SdkClientException"), readiness);
    }
}
