package dev.portcullis.gateway.store.jdbc;

import dev.portcullis.runtime.testing.TestDatabases;

/** The run store contract on embedded H2, the default. */
class H2RunStoreTest extends RunStoreContract {
    @Override
    protected TestDatabases.Settings database() {
        return TestDatabases.freshH2();
    }
}
