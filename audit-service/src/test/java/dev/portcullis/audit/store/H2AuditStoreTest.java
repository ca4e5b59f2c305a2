package dev.portcullis.audit.store;

import dev.portcullis.runtime.testing.TestDatabases;

class H2AuditStoreTest extends AuditStoreContract {
    @Override
    protected TestDatabases.Settings database() {
        return TestDatabases.freshH2();
    }
}
