package dev.portcullis.runtime.outbox;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeout;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.runtime.audit.AuditEvent;
import dev.portcullis.runtime.audit.AuditEvents;
import dev.portcullis.runtime.testing.LogCapture;
import dev.portcullis.runtime.testing.MutableClock;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditOutboxTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-24T09:00:00Z"), ZoneOffset.UTC);
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path spool;

    private OutboxConfig config() {
        return config(OutboxConfig.MIN_SPOOL_BYTES * 1024, 500);
    }

    private OutboxConfig config(long maxSpoolBytes, int batchSize) {
        return new OutboxConfig(spool, maxSpoolBytes, batchSize, Duration.ofMillis(1), Duration.ofMillis(20),
                Duration.ofSeconds(2), Duration.ofSeconds(1));
    }

    @Test
    void recordedEventsAreShippedInRecordingOrderInBatchesOfAtMostBatchSize() throws Exception {
        RecordingShipper shipper = RecordingShipper.working();
        List<AuditEvent> events = TestEvents.numbered(1_500);

        try (AuditOutbox outbox = new AuditOutbox(config(OutboxConfig.MIN_SPOOL_BYTES * 1024, 100), shipper, CLOCK)) {
            outbox.start();
            events.forEach(outbox::record);

            assertEquals(events, shipper.awaitShipped(events.size(), WAIT));
            awaitTrue(() -> outbox.backlog() == 0);
        }
        assertTrue(shipper.batchSizes().stream().allMatch(size -> size >= 1 && size <= 100), shipper.batchSizes()::toString);
    }

    @Test
    void eventsRecordedByManyThreadsAreEachShippedOnceAndInEachThreadsOrder() throws Exception {
        RecordingShipper shipper = RecordingShipper.working();
        int threads = 8;
        int perThread = 500;

        try (AuditOutbox outbox = new AuditOutbox(config(), shipper, CLOCK)) {
            outbox.start();
            runConcurrently(threads, writer -> {
                for (int n = 0; n < perThread; n++) {
                    outbox.record(TestEvents.numbered("w" + writer, n));
                }
            });
            shipper.awaitShipped(threads * perThread, WAIT);
        }

        List<AuditEvent> shipped = shipper.shipped();
        assertEquals(threads * perThread, new HashSet<>(shipped.stream().map(AuditEvent::eventId).toList()).size());
        Map<String, List<Integer>> numbersByWriter = shipped.stream().collect(Collectors.groupingBy(
                e -> e.attributes().get("writer"),
                Collectors.mapping(e -> Integer.parseInt(e.attributes().get("number")), Collectors.toList())));
        List<Integer> inOrder = IntStream.range(0, perThread).boxed().toList();
        numbersByWriter.values().forEach(numbers -> assertEquals(inOrder, numbers));
        assertEquals(threads, numbersByWriter.size());
    }

    @Test
    void aShipperThatFailsAndThenRecoversLosesNothingAndReordersNothing() throws Exception {
        RecordingShipper shipper = RecordingShipper.failingTimes(7);
        List<AuditEvent> events = TestEvents.numbered(300);

        try (AuditOutbox outbox = new AuditOutbox(config(OutboxConfig.MIN_SPOOL_BYTES * 1024, 50), shipper, CLOCK)) {
            events.forEach(outbox::record);
            outbox.start();

            assertEquals(events, shipper.awaitShipped(events.size(), WAIT));
        }
        assertEquals(7, shipper.failedCalls());
        assertEquals(events, shipper.shipped());
    }

    @Test
    void eventsSpooledWhileDeliveryFailsAllArriveAfterReopeningTheSpool() throws Exception {
        List<AuditEvent> events = TestEvents.numbered(1_000);
        try (AuditOutbox dead = new AuditOutbox(config(), RecordingShipper.alwaysFailing(), CLOCK)) {
            dead.start();
            events.forEach(dead::record);
        }
        RecordingShipper shipper = RecordingShipper.working();

        try (AuditOutbox reopened = new AuditOutbox(config(), shipper, CLOCK)) {
            assertEquals(1_000, reopened.backlog());
            reopened.start();

            assertEquals(events, shipper.awaitShipped(events.size(), WAIT));
        }
    }

    @Test
    void acknowledgedEventsAreNotShippedAgainAfterReopening() throws Exception {
        List<AuditEvent> first = TestEvents.numbered(100);
        try (AuditOutbox outbox = new AuditOutbox(config(), RecordingShipper.working(), CLOCK)) {
            outbox.start();
            first.forEach(outbox::record);
            awaitTrue(() -> outbox.backlog() == 0);
        }
        RecordingShipper shipper = RecordingShipper.working();
        AuditEvent later = TestEvents.numbered("later", 1);

        try (AuditOutbox reopened = new AuditOutbox(config(), shipper, CLOCK)) {
            assertEquals(0, reopened.backlog());
            reopened.start();
            reopened.record(later);

            assertEquals(List.of(later), shipper.awaitShipped(1, WAIT));
        }
        assertEquals(List.of(later), shipper.shipped());
    }

    @Test
    void recordPutsTheEventInTheSpoolFileBeforeReturning() throws Exception {
        AuditEvent event = TestEvents.numbered("main", 42);

        try (AuditOutbox outbox = new AuditOutbox(config(), RecordingShipper.working(), CLOCK)) {
            outbox.record(event);

            ByteBuffer file = ByteBuffer.wrap(Files.readAllBytes(SpoolFiles.onlySegment(spool)));
            int length = file.getInt(SpoolFormat.SEGMENT_HEADER_BYTES);
            byte[] payload = Arrays.copyOfRange(file.array(),
                    SpoolFormat.SEGMENT_HEADER_BYTES + SpoolFormat.FRAME_HEADER_BYTES,
                    SpoolFormat.SEGMENT_HEADER_BYTES + SpoolFormat.FRAME_HEADER_BYTES + length);
            assertEquals(event, AuditEvents.fromProto(dev.portcullis.v1.AuditEvent.parseFrom(payload)));
            assertEquals(1, outbox.backlog());
        }
    }

    @Test
    void eventsRecordedTogetherAreOnDiskWithOneSyncAndShippedInOrder() throws Exception {
        RecordingShipper shipper = RecordingShipper.working();
        List<AuditEvent> events = TestEvents.numbered(3);

        try (AuditOutbox outbox = new AuditOutbox(config(), shipper, CLOCK)) {
            long before = outbox.syncs();
            outbox.recordAll(events);

            assertEquals(1, outbox.syncs() - before);
            assertEquals(3, outbox.backlog());
            outbox.start();
            assertEquals(events, shipper.awaitShipped(events.size(), WAIT));
        }
    }

    @Test
    void eventsRecordedTogetherThatWouldOverfillTheSpoolAreAllRefused() {
        try (AuditOutbox outbox = new AuditOutbox(config(OutboxConfig.MIN_SPOOL_BYTES, 500), RecordingShipper.alwaysFailing(),
                CLOCK)) {
            int recorded = 0;
            try {
                while (true) {
                    outbox.record(TestEvents.numbered("main", recorded));
                    recorded++;
                }
            } catch (OutboxFullException full) {
                // the spool is as full as single events can make it
            }
            List<AuditEvent> together = List.of(TestEvents.numbered("main", recorded), TestEvents.numbered("main", recorded + 1));

            assertThrows(OutboxFullException.class, () -> outbox.recordAll(together));

            assertEquals(recorded, outbox.backlog());
        }
    }

    @Test
    void aTornLastFrameIsDroppedWithAWarningAndTheRestIsShipped() throws Exception {
        List<AuditEvent> events = spoolWithoutShipping(10);
        Path segment = SpoolFiles.onlySegment(spool);
        List<Long> frames = SpoolFiles.frameOffsets(segment);
        SpoolFiles.truncate(segment, frames.get(9) + 12); // the crash hit while the last frame was written

        List<AuditEvent> shipped = reopenAndShip(9, "outbox.spool_tail_dropped");

        assertEquals(events.subList(0, 9), shipped);
    }

    @Test
    void aLastFrameWithAFlippedByteIsDroppedWithAWarningAndTheRestIsShipped() throws Exception {
        List<AuditEvent> events = spoolWithoutShipping(10);
        Path segment = SpoolFiles.onlySegment(spool);
        SpoolFiles.flipByte(segment, SpoolFiles.frameOffsets(segment).get(9) + 20);

        List<AuditEvent> shipped = reopenAndShip(9, "outbox.spool_tail_dropped");

        assertEquals(events.subList(0, 9), shipped);
    }

    @Test
    void aFrameWithAFlippedByteInTheMiddleIsDroppedAloneWithAWarning() throws Exception {
        List<AuditEvent> events = spoolWithoutShipping(10);
        Path segment = SpoolFiles.onlySegment(spool);
        SpoolFiles.flipByte(segment, SpoolFiles.frameOffsets(segment).get(4) + 30);

        List<AuditEvent> shipped = reopenAndShip(9, "outbox.spool_frame_dropped");

        List<AuditEvent> expected = new ArrayList<>(events);
        expected.remove(4);
        assertEquals(expected, shipped);
    }

    @Test
    void aFlippedLengthIsNeverMisparsedAndTheFramesBeforeItAreShipped() throws Exception {
        List<AuditEvent> events = spoolWithoutShipping(10);
        Path segment = SpoolFiles.onlySegment(spool);
        SpoolFiles.flipByte(segment, SpoolFiles.frameOffsets(segment).get(6) + 3); // lowest byte of the length

        List<AuditEvent> shipped = reopenAndShip(6, "outbox.spool_tail_dropped");

        assertEquals(events.subList(0, 6), shipped);
    }

    @Test
    void segmentFilesLeftEmptyByACrashDuringARollAreHarmless() throws Exception {
        List<AuditEvent> events = new ArrayList<>(spoolWithoutShipping(5));
        Path segment = SpoolFiles.onlySegment(spool);
        long end = SpoolFormat.segmentBase(segment).orElseThrow() + Files.size(segment);
        Files.write(spool.resolve(SpoolFormat.segmentFileName(end)), SpoolFormat.SEGMENT.header().array());
        Path headerless = spool.resolve(SpoolFormat.segmentFileName(end + 8));
        Files.write(headerless, new byte[] {'P', 'C', 'S'});
        RecordingShipper shipper = RecordingShipper.working();

        try (AuditOutbox outbox = new AuditOutbox(config(), shipper, CLOCK)) {
            AuditEvent later = TestEvents.numbered("later", 1);
            outbox.record(later);
            events.add(later);
            outbox.start();

            assertEquals(events, shipper.awaitShipped(events.size(), WAIT));
        }
        assertFalse(Files.exists(headerless));
    }

    @Test
    void aFullSpoolRefusesEventsAndIsUnhealthyUntilDeliveryCatchesUp() throws Exception {
        RecordingShipper shipper = RecordingShipper.alwaysFailing();
        try (AuditOutbox outbox = new AuditOutbox(config(OutboxConfig.MIN_SPOOL_BYTES, 500), shipper, CLOCK)) {
            outbox.start();
            int recorded = 0;
            OutboxFullException full = null;
            while (full == null) {
                try {
                    outbox.record(TestEvents.numbered("main", recorded));
                    recorded++;
                } catch (OutboxFullException e) {
                    full = e;
                }
            }

            assertTrue(full.getMessage().contains("the audit outbox is full"), full.getMessage());
            assertTrue(full.getMessage().contains("audit delivery is failing"), full.getMessage());
            assertFalse(outbox.healthy());
            assertEquals(recorded, outbox.backlog());

            shipper.failing(false);
            shipper.awaitShipped(recorded, WAIT);
            awaitTrue(outbox::healthy);
            outbox.record(TestEvents.numbered("main", recorded));
            shipper.awaitShipped(recorded + 1, WAIT);
        }
    }

    @Test
    void acknowledgedSegmentsAreDeletedSoTheSpoolDoesNotGrow() throws Exception {
        RecordingShipper shipper = RecordingShipper.working();
        long segmentBytes = 16 * 1024;

        try (AuditOutbox outbox = new AuditOutbox(config(), shipper, CLOCK, segmentBytes)) {
            outbox.start();
            for (int n = 0; n < 2_000; n++) {
                outbox.record(TestEvents.numbered("main", n));
            }
            shipper.awaitShipped(2_000, WAIT);
            awaitTrue(() -> outbox.backlog() == 0);

            awaitTrue(() -> SpoolFiles.segments(spool).size() <= 2);
        }
    }

    @Test
    void aSpoolOfManySegmentsIsShippedInOrderAfterReopening() throws Exception {
        long segmentBytes = 16 * 1024;
        List<AuditEvent> events = TestEvents.numbered(2_000);
        try (AuditOutbox dead = new AuditOutbox(config(), RecordingShipper.alwaysFailing(), CLOCK, segmentBytes)) {
            events.forEach(dead::record);
        }
        assertTrue(SpoolFiles.segments(spool).size() > 10, "the events should span many segments");
        RecordingShipper shipper = RecordingShipper.working();

        try (AuditOutbox reopened = new AuditOutbox(config(), shipper, CLOCK, segmentBytes)) {
            reopened.start();

            assertEquals(events, shipper.awaitShipped(events.size(), WAIT));
        }
    }

    @Test
    void closeGivesUpOnAHangingShipperAfterTheFlushTimeoutAndKeepsItsEvents() throws Exception {
        CountDownLatch called = new CountDownLatch(1);
        AuditShipper hanging = batch -> {
            called.countDown();
            new CountDownLatch(1).await(); // until interrupted
        };
        OutboxConfig config = new OutboxConfig(spool, OutboxConfig.MIN_SPOOL_BYTES * 16, 500, Duration.ofMillis(1),
                Duration.ofMillis(20), Duration.ofMillis(200), Duration.ofSeconds(1));
        List<AuditEvent> events = TestEvents.numbered(20);
        AuditOutbox outbox = new AuditOutbox(config, hanging, CLOCK);
        outbox.start();
        events.forEach(outbox::record);
        assertTrue(called.await(WAIT.toSeconds(), TimeUnit.SECONDS));

        assertTimeout(Duration.ofSeconds(10), outbox::close);

        RecordingShipper shipper = RecordingShipper.working();
        try (AuditOutbox reopened = new AuditOutbox(config, shipper, CLOCK)) {
            reopened.start();
            assertEquals(events, shipper.awaitShipped(events.size(), WAIT));
        }
    }

    @Test
    void recordAfterCloseIsRefused() {
        AuditOutbox outbox = new AuditOutbox(config(), RecordingShipper.working(), CLOCK);
        outbox.close();

        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> outbox.record(TestEvents.numbered("main", 1)));

        assertEquals("the audit outbox is closed", e.getMessage());
        assertFalse(outbox.healthy());
    }

    @Test
    void startingTwiceChangesNothingAndEachEventIsShippedOnce() throws Exception {
        RecordingShipper shipper = RecordingShipper.working();
        List<AuditEvent> events = TestEvents.numbered(50);

        try (AuditOutbox outbox = new AuditOutbox(config(), shipper, CLOCK)) {
            outbox.start();
            outbox.start();
            events.forEach(outbox::record);

            assertEquals(events, shipper.awaitShipped(events.size(), WAIT));
            awaitTrue(() -> outbox.backlog() == 0);
        }
        assertEquals(events, shipper.shipped());
    }

    @Test
    void startAfterCloseIsRefused() {
        AuditOutbox outbox = new AuditOutbox(config(), RecordingShipper.working(), CLOCK);
        outbox.close();

        IllegalStateException e = assertThrows(IllegalStateException.class, outbox::start);

        assertEquals("the audit outbox is closed", e.getMessage());
    }

    @Test
    void closingTwiceIsHarmlessAndReleasesTheSpoolDirectory() {
        AuditOutbox outbox = new AuditOutbox(config(), RecordingShipper.working(), CLOCK);
        outbox.start();

        outbox.close();
        outbox.close();

        new AuditOutbox(config(), RecordingShipper.working(), CLOCK).close();
    }

    @Test
    void aSecondOutboxOnTheSameSpoolDirectoryIsRefused() {
        try (AuditOutbox first = new AuditOutbox(config(), RecordingShipper.working(), CLOCK)) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> new AuditOutbox(config(), RecordingShipper.working(), CLOCK));

            assertTrue(e.getMessage().endsWith("is in use by another outbox"), e.getMessage());
            assertTrue(first.healthy());
        }
    }

    @Test
    void aNewOutboxCreatesItsSpoolDirectory() throws Exception {
        Path nested = spool.resolve("outbox").resolve("gateway");
        OutboxConfig config = new OutboxConfig(nested, OutboxConfig.MIN_SPOOL_BYTES, 500, Duration.ofMillis(1),
                Duration.ofMillis(20), Duration.ofSeconds(1), Duration.ofSeconds(1));

        try (AuditOutbox outbox = new AuditOutbox(config, RecordingShipper.working(), CLOCK)) {
            outbox.record(TestEvents.numbered("main", 1));
        }

        assertEquals(1, SpoolFiles.segments(nested).size());
    }

    @Test
    void theOldestUnacknowledgedEventAgesUntilDeliveryResumesAndFailedAttemptsAreCounted() throws Exception {
        MutableClock clock = MutableClock.at(Instant.parse("2026-11-24T09:00:00Z"));
        RecordingShipper shipper = RecordingShipper.alwaysFailing();

        try (AuditOutbox outbox = new AuditOutbox(config(), shipper, clock)) {
            outbox.start();
            assertEquals(Duration.ZERO, outbox.oldestUnacknowledgedAge());
            outbox.record(TestEvents.numbered("old", 1));
            clock.advance(Duration.ofSeconds(60));
            outbox.record(TestEvents.numbered("new", 2));
            clock.advance(Duration.ofSeconds(30));
            awaitTrue(() -> outbox.deliveryFailures() >= 2);

            assertEquals(Duration.ofSeconds(90), outbox.oldestUnacknowledgedAge());

            shipper.failing(false);
            awaitTrue(() -> outbox.backlog() == 0);
            assertEquals(Duration.ZERO, outbox.oldestUnacknowledgedAge());
            assertEquals(shipper.failedCalls(), outbox.deliveryFailures());
        }
    }

    @Test
    void eventsRecoveredFromAnEarlierOpenAgeFromTheReopening() throws Exception {
        spoolWithoutShipping(3);
        MutableClock clock = MutableClock.at(Instant.parse("2026-11-25T09:00:00Z"));

        try (AuditOutbox reopened = new AuditOutbox(config(), RecordingShipper.alwaysFailing(), clock)) {
            clock.advance(Duration.ofSeconds(5));

            assertEquals(Duration.ofSeconds(5), reopened.oldestUnacknowledgedAge());
            assertEquals(0, reopened.deliveryFailures());
        }
    }

    /** Records {@code count} events without ever shipping them, then closes. */
    private List<AuditEvent> spoolWithoutShipping(int count) {
        List<AuditEvent> events = TestEvents.numbered(count);
        try (AuditOutbox outbox = new AuditOutbox(config(), RecordingShipper.alwaysFailing(), CLOCK)) {
            events.forEach(outbox::record);
        }
        return events;
    }

    /** Reopens the spool, expects a recovery warning {@code warning} about it, and ships {@code count} events. */
    private List<AuditEvent> reopenAndShip(int count, String warning) throws Exception {
        RecordingShipper shipper = RecordingShipper.working();
        try (LogCapture logs = new LogCapture(SpoolRecovery.class);
                AuditOutbox outbox = new AuditOutbox(config(), shipper, CLOCK)) {
            assertEquals(1, logs.events("WARN", warning, "segment", spool.toString()).size());
            assertEquals(count, outbox.backlog());
            outbox.start();
            shipper.awaitShipped(count, WAIT);
            awaitTrue(() -> outbox.backlog() == 0);
        }
        return shipper.shipped();
    }

    private static void runConcurrently(int threads, WriterBody body) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int writer = t;
                done.add(pool.submit(() -> {
                    go.await();
                    body.run(writer);
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : done) {
                f.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    interface WriterBody {
        void run(int writer) throws Exception;
    }

    interface Check {
        boolean holds() throws Exception;
    }

    private static void awaitTrue(Check check) {
        await("the condition").atMost(WAIT).pollInterval(Duration.ofMillis(1)).until(check::holds);
    }
}
