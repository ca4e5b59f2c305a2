package dev.portcullis.executor.server;

import dev.portcullis.executor.api.ExecutorGrpcService;
import dev.portcullis.executor.backend.local.LocalProcessTaskBackend;
import dev.portcullis.executor.secret.NoSecretSource;
import dev.portcullis.executor.secret.SecretSource;
import dev.portcullis.executor.secret.VaultConfig;
import dev.portcullis.executor.secret.VaultSecretSource;
import dev.portcullis.executor.task.TaskService;
import dev.portcullis.runtime.audit.AuditRecorder;
import dev.portcullis.runtime.role.RoleMapping;
import dev.portcullis.runtime.transport.ServerConfig;
import dev.portcullis.runtime.transport.ServiceServer;
import dev.portcullis.runtime.transport.TlsMaterial;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.util.List;

/** Composition root of the executor service. */
@Factory
public final class ExecutorServerFactory {

    /** Vault when it is configured; otherwise tasks that ask for secrets fail with a clear error. */
    @Singleton
    SecretSource secretSource(VaultConfig vault, Clock clock) {
        return vault.isConfigured() ? new VaultSecretSource(vault, clock) : new NoSecretSource();
    }

    /** Running tasks are cancelled (process trees killed) when the context closes. */
    @Singleton
    @Bean(preDestroy = "close")
    TaskService taskService(ExecutorConfig config, SecretSource secrets, AuditRecorder audit, Clock clock) {
        return new TaskService(new LocalProcessTaskBackend(config.workDir(), config.maxConcurrentTasks()), secrets, audit, clock);
    }

    /** The executor's gRPC server; stopped gracefully when the context closes, then running tasks are cancelled. */
    @Singleton
    @Named("executor")
    @Bean(preDestroy = "close")
    ServiceServer executorServer(ServerConfig config, TlsMaterial tls, RoleMapping roles, TaskService tasks,
            AuditRecorder audit, Clock clock) {
        return new ServiceServer("executor", config, tls, roles, List.of(new ExecutorGrpcService(tasks)), audit, clock);
    }
}
