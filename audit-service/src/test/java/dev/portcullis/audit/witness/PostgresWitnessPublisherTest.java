package dev.portcullis.audit.witness;

import dev.portcullis.runtime.testing.TestDatabases;

class PostgresWitnessPublisherTest extends WitnessPublisherContract {
    @Override
    protected TestDatabases.Settings database() {
        return TestDatabases.freshPostgresSchema();
    }
}
