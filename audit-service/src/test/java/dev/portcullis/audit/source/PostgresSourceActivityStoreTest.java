package dev.portcullis.audit.source;

import dev.portcullis.runtime.testing.TestDatabases;

class PostgresSourceActivityStoreTest extends SourceActivityStoreContract {
    @Override
    protected TestDatabases.Settings database() {
        return TestDatabases.freshPostgresSchema();
    }
}
