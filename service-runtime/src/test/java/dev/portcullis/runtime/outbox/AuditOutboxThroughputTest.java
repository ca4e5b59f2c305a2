package dev.portcullis.runtime.outbox;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Measures {@code record} (each call waits for its fsync) while the outbox ships to a fake that
 * acknowledges at once. Prints the figures next to a one-thread baseline that cannot share
 * syncs; asserts only that nothing is lost, never a rate.
 */
class AuditOutboxThroughputTest {

    @TempDir
    Path spool;

    @Test
    void eightThreadsRecordTwentyThousandEventsSharingSyncs() throws Exception {
        String baseline = measure(spool.resolve("one-thread"), 1, 2_000);
        String grouped = measure(spool.resolve("eight-threads"), 8, 20_000);

        System.out.println("audit outbox record throughput: " + grouped + "; baseline " + baseline);
    }

    private static String measure(Path directory, int threads, int events) throws Exception {
        RecordingShipper shipper = RecordingShipper.working();
        OutboxConfig config = new OutboxConfig(directory, 64L * 1024 * 1024, 500, Duration.ofMillis(200),
                Duration.ofSeconds(30), Duration.ofSeconds(5), Duration.ofSeconds(1));
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try (AuditOutbox outbox = new AuditOutbox(config, shipper, Clock.systemUTC())) {
            outbox.start();
            CountDownLatch go = new CountDownLatch(1);
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                String writer = "w" + t;
                done.add(pool.submit(() -> {
                    go.await();
                    for (int n = 0; n < events / threads; n++) {
                        outbox.record(TestEvents.numbered(writer, n));
                    }
                    return null;
                }));
            }

            long started = System.nanoTime();
            go.countDown();
            for (Future<?> f : done) {
                f.get(5, TimeUnit.MINUTES);
            }
            long elapsedNanos = System.nanoTime() - started;
            long syncs = outbox.syncs();

            assertEquals(events, shipper.awaitShipped(events, Duration.ofMinutes(2)).size());
            return String.format("%d events from %d thread(s) in %d ms = %.0f events/s, %d fsyncs (%.1f events per fsync)",
                    events, threads, TimeUnit.NANOSECONDS.toMillis(elapsedNanos), events * 1e9 / elapsedNanos, syncs,
                    (double) events / syncs);
        } finally {
            pool.shutdownNow();
        }
    }
}
