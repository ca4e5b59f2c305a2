package dev.portcullis.audit.store;

import dev.portcullis.runtime.testing.TestDatabases;

class H2AuditStoreQueryTest extends AuditStoreQueryContract {
    @Override
    protected TestDatabases.Settings database() {
        return TestDatabases.freshH2();
    }
}
