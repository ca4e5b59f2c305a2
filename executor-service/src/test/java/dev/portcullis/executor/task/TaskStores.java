package dev.portcullis.executor.task;

import dev.portcullis.executor.task.jdbc.JdbcTaskStore;
import dev.portcullis.runtime.database.Databases;
import dev.portcullis.runtime.testing.TestDatabases;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;

/** Task stores for tests: the real JDBC store, on the embedded H2 of a directory or a test database. */
public final class TaskStores {
    /** Short enough that a test sees a dead replica's task taken over within seconds. */
    public static final Duration TEST_LEASE = Duration.ofSeconds(2);
    public static final Duration TEST_POLL = Duration.ofMillis(50);

    private TaskStores() {}

    /**
     * The executor's default: embedded H2 in {@code dir} (the same file for every service on that
     * directory, as a restarted executor finds it), this process's alone.
     */
    public static TaskReplica embedded(Path dir) {
        TaskStore store = new JdbcTaskStore(Databases.open("executor", JdbcTaskStore.embeddedUrl(dir), "sa", "", "", 4));
        return new TaskReplica(store, UUID.randomUUID().toString(), Duration.ofSeconds(15), TEST_POLL, true);
    }

    /** The store on {@code database}, migrated; shared by every replica made on it. */
    public static TaskStore open(TestDatabases.Settings database) {
        return new JdbcTaskStore(Databases.open("executor", database.jdbcUrl(), database.user(), database.password(),
                database.schema(), 8));
    }

    /** A new replica sharing {@code store} with others, with the test lease. */
    public static TaskReplica replica(TaskStore store) {
        return new TaskReplica(store, UUID.randomUUID().toString(), TEST_LEASE, TEST_POLL, false);
    }
}
