package dev.portcullis.runtime.outbox.jdbc;

import dev.portcullis.runtime.testing.TestDatabases;

/** The database audit outbox on the test PostgreSQL (never skipped under CI=true). */
class PostgresJdbcAuditOutboxTest extends JdbcAuditOutboxContract {
    @Override
    protected TestDatabases.Settings database() {
        return TestDatabases.freshPostgresSchema();
    }
}
