package dev.portcullis.executor.server;

import dev.portcullis.executor.api.ExecutorGrpcService;
import dev.portcullis.executor.artifact.ArtifactHandoff;
import dev.portcullis.executor.artifact.ArtifactStore;
import dev.portcullis.executor.artifact.ArtifactsConfig;
import dev.portcullis.executor.artifact.local.LocalArtifactStore;
import dev.portcullis.executor.artifact.s3.S3Clients;
import dev.portcullis.executor.backend.ecs.EcsConfig;
import dev.portcullis.executor.backend.ecs.EcsTaskBackend;
import dev.portcullis.executor.backend.local.LocalProcessTaskBackend;
import dev.portcullis.executor.repo.GitAccess;
import dev.portcullis.executor.repo.GitConfig;
import dev.portcullis.executor.repo.GitRefHeads;
import dev.portcullis.executor.secret.NoSecretSource;
import dev.portcullis.executor.secret.SecretSource;
import dev.portcullis.executor.secret.VaultConfig;
import dev.portcullis.executor.secret.VaultSecretSource;
import dev.portcullis.executor.task.TaskBackend;
import dev.portcullis.executor.task.TaskReplica;
import dev.portcullis.executor.task.jdbc.JdbcTaskStore;
import dev.portcullis.executor.task.TaskService;
import dev.portcullis.runtime.audit.AuditClientConfig;
import dev.portcullis.runtime.audit.AuditRecorder;
import dev.portcullis.runtime.database.Databases;
import dev.portcullis.runtime.database.JdbcReadinessCheck;
import dev.portcullis.runtime.health.HealthConfig;
import dev.portcullis.runtime.health.ReadinessCheck;
import dev.portcullis.runtime.outbox.GrpcAuditShipper;
import dev.portcullis.runtime.outbox.OutboxConfig;
import dev.portcullis.runtime.outbox.jdbc.AuditOutboxTable;
import dev.portcullis.runtime.outbox.jdbc.JdbcAuditOutbox;
import dev.portcullis.runtime.role.RoleMapping;
import dev.portcullis.runtime.server.ServiceLauncher;
import dev.portcullis.runtime.server.TransportFactory;
import dev.portcullis.runtime.transport.ServiceChannels;
import dev.portcullis.runtime.transport.ServerConfig;
import dev.portcullis.runtime.telemetry.Telemetry;
import dev.portcullis.runtime.transport.ServiceServer;
import dev.portcullis.runtime.transport.TlsMaterial;
import io.micronaut.context.BeanProvider;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Replaces;
import io.micronaut.context.annotation.Requires;
import io.grpc.ManagedChannel;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;

/** Composition root of the executor service. */
@Factory
public final class ExecutorServerFactory {

    /** Vault when it is configured; otherwise tasks that ask for secrets fail with a clear error. */
    @Singleton
    SecretSource secretSource(VaultConfig vault, Clock clock) {
        return vault.isConfigured() ? new VaultSecretSource(vault, clock) : new NoSecretSource();
    }

    /** S3 when a bucket is configured; otherwise a directory, by default under the work dir. */
    @Singleton
    @Bean(preDestroy = "close")
    ArtifactStore artifactStore(ArtifactsConfig artifacts, ExecutorConfig config) {
        if (artifacts.usesS3()) {
            return S3Clients.store(artifacts, DefaultCredentialsProvider.builder().build());
        }
        return new LocalArtifactStore(artifacts.directory().orElse(config.workDir().resolve("artifacts")));
    }

    /**
     * A Fargate task cannot reach the executor's directory: with the ECS backend, artifacts must be
     * in S3, and start-up stops otherwise (rather than failing every plan later).
     */
    static void requireS3ForEcs(ExecutorConfig config, ArtifactsConfig artifacts) {
        if (config.backendKind() == ExecutorConfig.Backend.ECS && !artifacts.usesS3()) {
            throw new IllegalArgumentException("portcullis.executor.backend=ecs needs plan artifacts in S3: set "
                    + "portcullis.executor.artifacts.s3-bucket and portcullis.executor.artifacts.s3-region "
                    + "(portcullis.executor.artifacts.dir is for the local backend only)");
        }
    }

    /** The task database, migrated to the newest schema. */
    @Singleton
    @Bean(preDestroy = "close")
    TaskDatabase taskDatabase(StoreConfig config) {
        String password = "";
        if (config.dbPasswordFile() != null) {
            try {
                password = Files.readString(config.dbPasswordFile(), StandardCharsets.UTF_8).strip();
            } catch (IOException e) {
                throw new UncheckedIOException("portcullis.executor.store.db-password-file cannot be read: "
                        + config.dbPasswordFile(), e);
            }
        }
        if (config.embedded()) {
            try {
                Files.createDirectories(config.dataDir());
            } catch (IOException e) {
                throw new UncheckedIOException("portcullis.executor.store.data-dir cannot be created: " + config.dataDir(), e);
            }
        }
        return new TaskDatabase(Databases.open("executor", config.effectiveJdbcUrl(), config.dbUser(), password, "",
                config.maxConnections()));
    }

    /** Ready while the task database answers (every task, its log and its lease live there). */
    @Singleton
    @Named("database")
    @Requires(property = ServiceLauncher.SERVICE_NAME_PROPERTY, value = "executor")
    ReadinessCheck taskDatabaseReadiness(TaskDatabase database, HealthConfig health) {
        return new JdbcReadinessCheck(database.dataSource(), health.checkTimeout());
    }

    /**
     * The audit outbox table in the task database, with an audit service to ship it to: a task's
     * state changes store their audit events ({@code task.started}, its end) in it in their own
     * transaction, and every other audit event of the executor goes there too ({@link #auditOutbox}).
     * Named, so that it is never mixed up with the gateway's when services share one JVM (dev mode).
     */
    @Singleton
    @Named("executor")
    @Requires(property = ServiceLauncher.SERVICE_NAME_PROPERTY, value = "executor")
    @Requires(property = AUDIT_ADDRESS)
    AuditOutboxTable auditOutboxTable(Clock clock) {
        return new AuditOutboxTable(clock);
    }

    /** The channel the executor's audit outbox ships on; shut down when the context closes, after the outbox. */
    @Singleton
    @Named("executor-audit")
    @Requires(property = ServiceLauncher.SERVICE_NAME_PROPERTY, value = "executor")
    @Requires(property = AUDIT_ADDRESS)
    @Bean(preDestroy = "shutdown")
    ManagedChannel auditChannel(ServiceChannels channels, AuditClientConfig client) {
        return channels.open(client.address());
    }

    /**
     * The executor's audit recorder, in place of the runtime's disk spool: its events wait in the
     * task database, where every replica can ship them (a lost pod loses no acknowledged event),
     * and go to {@code portcullis.audit-client.address}, each call bounded by
     * {@code portcullis.audit-client.call-timeout}. Shipping starts once the executor serves.
     */
    @Singleton
    @Requires(property = ServiceLauncher.SERVICE_NAME_PROPERTY, value = "executor")
    @Requires(property = AUDIT_ADDRESS)
    @Replaces(bean = AuditRecorder.class, factory = TransportFactory.class)
    @Bean(preDestroy = "close")
    JdbcAuditOutbox auditOutbox(TaskDatabase database, @Named("executor") AuditOutboxTable table, OutboxConfig config,
            AuditClientConfig client, @Named("executor-audit") ManagedChannel channel, Clock clock, Telemetry telemetry) {
        JdbcAuditOutbox outbox = new JdbcAuditOutbox(database.dataSource(), table, config,
                new GrpcAuditShipper(channel, client.callTimeout()), clock);
        outbox.reportTo(telemetry);
        return outbox;
    }

    private static final String AUDIT_ADDRESS = "portcullis.audit-client.address";

    /**
     * Unfinished tasks nobody follows are taken over at start-up: followed again (ECS) or marked
     * failed (local); with the embedded database, every unfinished task. When the context closes,
     * local tasks are cancelled (process trees killed); ECS tasks keep running and their leases
     * are given up, for another replica to follow them at once.
     */
    @Singleton
    @Bean(preDestroy = "close")
    TaskService taskService(ExecutorConfig config, StoreConfig store, TaskDatabase database,
            @Named("executor") BeanProvider<AuditOutboxTable> auditTable, BeanProvider<EcsConfig> ecs,
            ArtifactsConfig artifactsConfig, SecretSource secrets, ArtifactStore artifacts, GitAccess git, AuditRecorder audit,
            Clock clock, Telemetry telemetry) {
        TaskBackend backend = switch (config.backendKind()) {
            // the ECS keys are bound, and checked, only when the ECS backend is chosen; then the store
            case ECS -> {
                EcsConfig settings = ecs.get();
                requireS3ForEcs(config, artifactsConfig);
                yield EcsTaskBackend.create(settings, DefaultCredentialsProvider.builder().build(), clock);
            }
            case LOCAL -> new LocalProcessTaskBackend(config.workDir().resolve("tasks"), config.maxConcurrentTasks(), git);
        };
        ArtifactHandoff handoff = artifacts instanceof ArtifactHandoff presigning ? presigning : ArtifactHandoff.unsupported();
        try {
            // with an audit service, a state change's audit events commit with it; without one they are logged
            JdbcTaskStore tasks = auditTable.isPresent() ? new JdbcTaskStore(database.dataSource(), auditTable.get())
                    : new JdbcTaskStore(database.dataSource());
            TaskReplica replica = new TaskReplica(tasks, UUID.randomUUID().toString(),
                    store.lease(), store.pollInterval(), store.embedded());
            TaskJournals.warnIfLeft(config.workDir().resolve("journal"));
            return new TaskService(backend, secrets, artifacts, handoff, audit, clock, config.workDir(), config.logLinesInMemory(),
                    telemetry, replica);
        } catch (RuntimeException e) {
            backend.close();
            throw e;
        }
    }

    /** Ready while the task backend can start tasks: its work directory (local), or ECS answering for the cluster. */
    @Singleton
    @Requires(property = ServiceLauncher.SERVICE_NAME_PROPERTY, value = "executor")
    ReadinessCheck taskBackendReadiness(TaskService tasks) {
        return ReadinessCheck.of("task-backend", tasks::backendReadiness);
    }

    /**
     * How the executor reaches https repositories: the read-only credential of
     * {@code portcullis.executor.git.*}, the one the ECS runner clones with, for {@code ResolveRef}
     * (in-process, JGit: no git binary) and the local backend's clones (git processes, through the
     * askpass program it writes into {@code WORK_DIR/git}).
     */
    @Singleton
    GitAccess gitAccess(GitConfig git, ExecutorConfig executor) {
        return GitAccess.of(git, executor.workDir().toAbsolutePath().resolve("git"));
    }

    /** The executor's gRPC server; stopped gracefully when the context closes, then running tasks are cancelled. */
    @Singleton
    @Named("executor")
    @Bean(preDestroy = "close")
    ServiceServer executorServer(ServerConfig config, TlsMaterial tls, RoleMapping roles, TaskService tasks,
            ExecutorConfig executor, GitAccess git, AuditRecorder audit, Clock clock, Telemetry telemetry) {
        GitRefHeads refs = new GitRefHeads(REF_RESOLUTION_TIMEOUT, git);
        return new ServiceServer("executor", config, tls, roles, List.of(new ExecutorGrpcService(tasks, refs, telemetry)),
                audit, clock, telemetry);
    }

    /**
     * How long one {@code ResolveRef} may read a repository's refs: a drift check's, so far shorter
     * than a checkout, and shorter than the deadline the gateway gives the call.
     */
    private static final Duration REF_RESOLUTION_TIMEOUT = Duration.ofSeconds(30);
}
