package dev.portcullis.audit.witness;

import dev.portcullis.runtime.testing.TestDatabases;

class H2WitnessPublisherTest extends WitnessPublisherContract {
    @Override
    protected TestDatabases.Settings database() {
        return TestDatabases.freshH2();
    }
}
