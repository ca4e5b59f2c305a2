package dev.portcullis.audit.store;

import dev.portcullis.runtime.testing.TestDatabases;

/** The query contract against the machine's PostgreSQL (never skipped under CI=true). */
class PostgresAuditStoreQueryTest extends AuditStoreQueryContract {
    @Override
    protected TestDatabases.Settings database() {
        return TestDatabases.freshPostgresSchema();
    }
}
