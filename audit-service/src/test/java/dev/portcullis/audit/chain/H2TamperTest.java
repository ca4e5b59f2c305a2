package dev.portcullis.audit.chain;

import dev.portcullis.runtime.testing.TestDatabases;

class H2TamperTest extends TamperContract {
    @Override
    protected TestDatabases.Settings database() {
        return TestDatabases.freshH2();
    }
}
