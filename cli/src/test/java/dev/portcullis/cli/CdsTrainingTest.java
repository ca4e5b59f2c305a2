package dev.portcullis.cli;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;

import org.junit.jupiter.api.Test;

/** The launcher's class-data training run works: what it trains is a real mTLS call of the CLI. */
class CdsTrainingTest {
    @Test
    void theTrainingRunListsRunsOverMtls() {
        assertDoesNotThrow(CdsTraining::train);
    }
}
