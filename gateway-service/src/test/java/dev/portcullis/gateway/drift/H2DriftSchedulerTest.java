package dev.portcullis.gateway.drift;

import dev.portcullis.runtime.testing.TestDatabases;

/** The drift scheduler on embedded H2, the default. */
class H2DriftSchedulerTest extends DriftSchedulerContract {
    @Override
    protected TestDatabases.Settings database() {
        return TestDatabases.freshH2();
    }
}
