package dev.portcullis.executor.task.jdbc;

import dev.portcullis.runtime.testing.TestDatabases;

/** The task store contract on embedded H2, the default. */
class H2TaskStoreTest extends TaskStoreContract {
    @Override
    protected TestDatabases.Settings database() {
        return TestDatabases.freshH2();
    }
}
