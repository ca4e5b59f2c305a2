package dev.portcullis.executor.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.portcullis.executor.task.GitRepository;
import dev.portcullis.runtime.audit.AuditRecorder;
import dev.portcullis.runtime.identity.IdentityPattern;
import dev.portcullis.runtime.outbox.jdbc.JdbcAuditOutbox;
import dev.portcullis.runtime.request.RunId;
import dev.portcullis.runtime.role.Role;
import dev.portcullis.runtime.role.RoleMapping;
import dev.portcullis.runtime.server.ServiceLauncher;
import dev.portcullis.runtime.testing.RecordingAuditRecorder;
import dev.portcullis.runtime.testing.ServiceFixture;
import dev.portcullis.runtime.testing.TestChannels;
import dev.portcullis.runtime.testing.TestIdentity;
import dev.portcullis.runtime.testing.TestPki;
import dev.portcullis.runtime.transport.ServerConfig;
import dev.portcullis.runtime.transport.ServiceServer;
import dev.portcullis.runtime.transport.TlsMaterial;
import dev.portcullis.v1.AppendRequest;
import dev.portcullis.v1.AppendResponse;
import dev.portcullis.v1.AuditAction;
import dev.portcullis.v1.AuditEvent;
import dev.portcullis.v1.AuditServiceGrpc;
import dev.portcullis.v1.ExecutorServiceGrpc;
import dev.portcullis.v1.StartTaskRequest;
import dev.portcullis.v1.TaskSpec;
import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The executor, given an audit service, records its audit events in the audit outbox of its task
 * database instead of a disk spool, and ships them from there: a task's start and end arrive.
 */
class ExecutorAuditOutboxTest {
    @TempDir
    Path dir;

    /** Stores every event it is sent. */
    private static final class RecordingAuditService extends AuditServiceGrpc.AuditServiceImplBase {
        final List<AuditEvent> stored = new CopyOnWriteArrayList<>();

        @Override
        public void append(AppendRequest request, StreamObserver<AppendResponse> response) {
            stored.addAll(request.getEventsList());
            response.onNext(AppendResponse.newBuilder().setStored(request.getEventsCount()).build());
            response.onCompleted();
        }
    }

    @Test
    void aTasksAuditEventsGoThroughTheTaskDatabaseToTheAuditServiceAndNoSpoolIsMade() throws Exception {
        GitRepository repo = GitRepository.create(dir);
        TestPki pki = TestPki.create(dir);
        TlsMaterial auditTls = TlsMaterial.load(pki.tlsConfig(pki.issue("audit", TestPki.id("service/audit")), Duration.ofMinutes(5)));
        IdentityPattern executor = new IdentityPattern("spiffe://test.example/service/executor");
        RecordingAuditService auditService = new RecordingAuditService();
        ServiceServer audit = new ServiceServer("audit", new ServerConfig("127.0.0.1", 0, 4 << 20, Duration.ofSeconds(5),
                Duration.ZERO), auditTls, new RoleMapping(Map.of(Role.SERVICE, List.of(executor))), List.of(auditService),
                new RecordingAuditRecorder(), Clock.systemUTC());
        audit.start();
        Path spool = dir.resolve("spool");
        String runId = RunId.random().value();
        TestPki.Credential own = pki.issue("executor", TestPki.id("service/executor"));
        Map<String, Object> properties = new java.util.HashMap<>(ServiceFixture.roleProperties());
        properties.putAll(Map.of(
                "portcullis.server.port", 0,
                "portcullis.tls.cert-file", own.certFile().toString(),
                "portcullis.tls.key-file", own.keyFile().toString(),
                "portcullis.tls.ca-file", own.caFile().toString(),
                "portcullis.executor.work-dir", dir.resolve("work").toString(),
                "portcullis.executor.store.data-dir", dir.resolve("work").toString(),
                "portcullis.audit-client.address", "localhost:" + audit.port(),
                "portcullis.audit-outbox.spool-dir", spool.toString(), // set, to show the executor never uses it
                "portcullis.audit-outbox.poll-interval", "100ms"));
        try (ServiceLauncher.RunningService executorService = ServiceLauncher.start("executor", properties, false)) {
            ManagedChannel channel = TestChannels.mtls(executorService.port(), pki.issue("gateway", TestIdentity.GATEWAY.id()));
            try {
                ExecutorServiceGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS).startTask(
                        StartTaskRequest.newBuilder().setTask(TaskSpec.newBuilder().setRunId(runId)
                                .setRepoUrl(repo.path().toString()).setCommitSha(repo.commit()).setFolder("stage/app")
                                .setEnvironment("stage").addArgv("sh").addArgv("-c").addArgv("echo hi")
                                .setTimeout(com.google.protobuf.Duration.newBuilder().setSeconds(30))).build());

                await("the task's end at the audit service").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
                        .until(() -> auditService.stored.stream().anyMatch(e -> e.getAction() == AuditAction.AUDIT_ACTION_TASK_FINISHED));

                assertEquals(List.of(AuditAction.AUDIT_ACTION_TASK_STARTED, AuditAction.AUDIT_ACTION_TASK_FINISHED),
                        auditService.stored.stream().filter(e -> e.getResource().getId().equals(runId)).map(AuditEvent::getAction)
                                .toList());
                assertEquals(JdbcAuditOutbox.class, executorService.context().getBean(AuditRecorder.class).getClass());
                assertFalse(Files.exists(spool), "no disk spool");
            } finally {
                channel.shutdownNow();
            }
        } finally {
            audit.close();
            auditTls.close();
        }
    }
}
