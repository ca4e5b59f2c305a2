package dev.portcullis.gateway.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RunSignalsTest {
    private final RunSignals signals = new RunSignals();

    @Test
    void aRunningRunsNewLinesWakeWatchersButGiveTheDriverNothingToDo() {
        long watched = signals.version();
        long driven = signals.driverVersion();

        signals.logged();

        assertTrue(signals.version() > watched);
        assertEquals(driven, signals.driverVersion());
    }

    @Test
    void aChangeWakesTheWaitingDriver() throws Exception {
        long driven = signals.driverVersion();
        CompletableFuture<Void> driver = CompletableFuture.runAsync(() -> {
            try {
                signals.awaitDriverWork(driven, Duration.ofMinutes(1));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });

        signals.changed();

        driver.get(20, TimeUnit.SECONDS);
        assertTrue(signals.driverVersion() > driven);
    }
}
