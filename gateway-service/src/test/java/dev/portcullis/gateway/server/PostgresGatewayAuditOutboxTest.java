package dev.portcullis.gateway.server;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.portcullis.runtime.testing.TestDatabases;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** The gateway's audit outbox in a PostgreSQL run database, as in production. */
class PostgresGatewayAuditOutboxTest extends GatewayAuditOutboxContract {
    private TestDatabases.Settings db;

    @Override
    protected Map<String, Object> database(Path dir) throws Exception {
        if (db == null) {
            db = TestDatabases.freshPostgresSchema();
        }
        return Map.of(
                "portcullis.gateway.store.jdbc-url", db.jdbcUrlInSchema(),
                "portcullis.gateway.store.db-user", db.user(),
                "portcullis.gateway.store.db-password-file",
                Files.writeString(dir.resolve("db-password"), db.password(), UTF_8).toString());
    }

    @Override
    protected void dropDatabase() {
        if (db != null) {
            TestDatabases.drop(db);
        }
    }
}
