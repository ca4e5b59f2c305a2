package dev.portcullis.executor.server;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.nio.file.Path;

/**
 * How the executor runs tasks. Every key is documented in docs/configuration.md.
 *
 * @param workDir the executor's scratch directory: fetched plans ({@code incoming/}), local
 *     checkouts ({@code tasks/}, one fresh directory per task) and, by default, local artifacts
 *     ({@code artifacts/}); tasks and their logs are in the task database ({@link StoreConfig})
 * @param maxConcurrentTasks local tasks running at once; further ones wait
 * @param backend where tasks run: {@code local} child processes or {@code ecs} Fargate tasks
 *     (which needs every required {@code portcullis.executor.ecs.*} key). Bound as text and
 *     parsed here: Micronaut quietly falls back to an enum's default when a value does not
 *     convert, and a typo must not silently choose the local backend
 * @param logLinesInMemory events of each task kept in memory; older ones are read from the task database
 */
@ConfigurationProperties("portcullis.executor")
public record ExecutorConfig(
        @Bindable(defaultValue = ".portcullis/executor") Path workDir,
        @Bindable(defaultValue = "4") @Min(1) @Max(64) int maxConcurrentTasks,
        @Bindable(defaultValue = "local") String backend,
        @Bindable(defaultValue = "10000") @Min(100) @Max(1_000_000) int logLinesInMemory) {

    /** The task backends. */
    public enum Backend { LOCAL, ECS }

    /** The chosen backend. */
    public Backend backendKind() {
        return Backend.valueOf(backend.toUpperCase(java.util.Locale.ROOT));
    }

    public ExecutorConfig {
        if (workDir == null) {
            throw new IllegalArgumentException("portcullis.executor.work-dir must name a directory");
        }
        backend = backend == null ? "" : backend.strip().toLowerCase(java.util.Locale.ROOT);
        if (!backend.equals("local") && !backend.equals("ecs")) {
            throw new IllegalArgumentException("portcullis.executor.backend must be local or ecs");
        }
    }
}
