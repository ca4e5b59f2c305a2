package dev.portcullis.audit.source;

import dev.portcullis.runtime.testing.TestDatabases;

class H2SourceActivityStoreTest extends SourceActivityStoreContract {
    @Override
    protected TestDatabases.Settings database() {
        return TestDatabases.freshH2();
    }
}
