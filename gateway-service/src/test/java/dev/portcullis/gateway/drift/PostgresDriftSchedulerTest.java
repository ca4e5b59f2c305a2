package dev.portcullis.gateway.drift;

import dev.portcullis.runtime.testing.TestDatabases;

/** The drift scheduler on the machine's PostgreSQL (never skipped under CI=true). */
class PostgresDriftSchedulerTest extends DriftSchedulerContract {
    @Override
    protected TestDatabases.Settings database() {
        return TestDatabases.freshPostgresSchema();
    }
}
