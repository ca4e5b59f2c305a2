package dev.portcullis.audit.store;

import dev.portcullis.runtime.testing.TestDatabases;

/** The same contract against the machine's PostgreSQL (never skipped under CI=true). */
class PostgresAuditStoreTest extends AuditStoreContract {
    @Override
    protected TestDatabases.Settings database() {
        return TestDatabases.freshPostgresSchema();
    }
}
