package dev.portcullis.gateway.store.jdbc;

import dev.portcullis.runtime.testing.TestDatabases;

/** The same contract against the machine's PostgreSQL (never skipped under CI=true). */
class PostgresRunStoreTest extends RunStoreContract {
    @Override
    protected TestDatabases.Settings database() {
        return TestDatabases.freshPostgresSchema();
    }
}
