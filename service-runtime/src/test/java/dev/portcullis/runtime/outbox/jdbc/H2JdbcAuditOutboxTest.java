package dev.portcullis.runtime.outbox.jdbc;

import dev.portcullis.runtime.testing.TestDatabases;

/** The database audit outbox on embedded H2 (the dev default). */
class H2JdbcAuditOutboxTest extends JdbcAuditOutboxContract {
    @Override
    protected TestDatabases.Settings database() {
        return TestDatabases.freshH2();
    }
}
