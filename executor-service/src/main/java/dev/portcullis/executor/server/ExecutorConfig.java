package dev.portcullis.executor.server;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import java.nio.file.Path;

/**
 * How the executor runs tasks. Every key is documented in the README.
 *
 * @param workDir where the local backend checks repositories out (one fresh directory per task)
 * @param maxConcurrentTasks tasks running at once; further ones wait
 */
@ConfigurationProperties("portcullis.executor")
public record ExecutorConfig(
        @Bindable(defaultValue = ".portcullis/executor") Path workDir,
        @Bindable(defaultValue = "4") int maxConcurrentTasks) {
    public ExecutorConfig {
        if (workDir == null) {
            throw new IllegalArgumentException("portcullis.executor.work-dir must name a directory");
        }
        if (maxConcurrentTasks < 1 || maxConcurrentTasks > 64) {
            throw new IllegalArgumentException("portcullis.executor.max-concurrent-tasks must be between 1 and 64");
        }
    }
}
