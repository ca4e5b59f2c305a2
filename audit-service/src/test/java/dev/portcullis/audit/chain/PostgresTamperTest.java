package dev.portcullis.audit.chain;

import dev.portcullis.runtime.testing.TestDatabases;

class PostgresTamperTest extends TamperContract {
    @Override
    protected TestDatabases.Settings database() {
        return TestDatabases.freshPostgresSchema();
    }
}
