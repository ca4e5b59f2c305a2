package dev.portcullis.audit.alert;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * {@link JdbcAlertStore} on PostgreSQL (connection settings as {@code TestDatabases} reads them),
 * each test in a schema of its own. Skipped with a message when PostgreSQL is unreachable,
 * except in CI, where that fails.
 */
class JdbcAlertStorePostgresTest extends AlertStoreContract {
    private TestDatabase database;

    // skips (or fails, in CI) each test, so the report counts them as skipped, with the reason
    @BeforeEach
    void createSchema() {
        database = TestDatabase.freshPostgres();
    }

    @AfterEach
    void dropSchema() {
        if (database != null) { // null when the test was skipped
            database.close();
        }
    }

    @Override
    AlertStore replica() {
        return new JdbcAlertStore(database.dataSource(), clock);
    }
}
