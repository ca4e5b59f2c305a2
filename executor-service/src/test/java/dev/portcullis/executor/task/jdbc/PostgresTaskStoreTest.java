package dev.portcullis.executor.task.jdbc;

import dev.portcullis.runtime.testing.TestDatabases;

/** The same contract against the test PostgreSQL (skipped when it is absent, never under CI=true). */
class PostgresTaskStoreTest extends TaskStoreContract {
    @Override
    protected TestDatabases.Settings database() {
        return TestDatabases.freshPostgresSchema();
    }
}
