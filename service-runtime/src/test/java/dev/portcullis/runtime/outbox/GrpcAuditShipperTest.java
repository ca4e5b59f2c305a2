package dev.portcullis.runtime.outbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.runtime.audit.AuditEvent;
import dev.portcullis.runtime.audit.AuditEvents;
import dev.portcullis.v1.AppendResponse;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GrpcAuditShipperTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-24T09:00:00Z"), ZoneOffset.UTC);

    @TempDir
    Path spool;

    private FakeAuditService audit;

    @BeforeEach
    void startAuditService() throws Exception {
        audit = new FakeAuditService();
    }

    @AfterEach
    void stopAuditService() {
        audit.close();
    }

    private OutboxConfig config(Duration shutdownFlushTimeout) {
        return new OutboxConfig(spool, OutboxConfig.MIN_SPOOL_BYTES * 64, 500, Duration.ofMillis(5),
                Duration.ofMillis(50), shutdownFlushTimeout, Duration.ofSeconds(1));
    }

    @Test
    void aBatchArrivesAtTheAuditServiceInOrder() {
        GrpcAuditShipper shipper = new GrpcAuditShipper(audit.channel(), Duration.ofSeconds(5));
        List<AuditEvent> batch = TestEvents.numbered(500);

        shipper.ship(batch);

        assertEquals(batch, audit.received().stream().map(AuditEvents::fromProto).toList());
    }

    @Test
    void anUnavailableAuditServiceFailsTheShipment() {
        GrpcAuditShipper shipper = new GrpcAuditShipper(audit.channel(), Duration.ofSeconds(5));
        audit.unavailableFor(1);

        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> shipper.ship(TestEvents.numbered(3)));

        assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode());
        assertEquals(List.of(), audit.stored());
    }

    @Test
    void anUnansweredCallFailsAtTheDeadline() {
        GrpcAuditShipper shipper = new GrpcAuditShipper(audit.channel(), Duration.ofMillis(200));
        audit.silent(true);

        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> shipper.ship(TestEvents.numbered(3)));

        assertEquals(Status.Code.DEADLINE_EXCEEDED, e.getStatus().getCode());
    }

    @Test
    void aBatchLargerThanAppendAcceptsIsRefusedBeforeSending() {
        GrpcAuditShipper shipper = new GrpcAuditShipper(audit.channel(), Duration.ofSeconds(5));

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> shipper.ship(TestEvents.numbered(501)));

        assertEquals("a batch holds 1 to 500 events, not 501", e.getMessage());
    }

    @Test
    void theOutboxDeliversEverythingOnceInOrderThroughAnAuditServiceThatWasUnavailableForAWhile() throws Exception {
        audit.unavailableFor(5);
        List<AuditEvent> events = TestEvents.numbered(1_200);

        try (AuditOutbox outbox = new AuditOutbox(config(Duration.ofSeconds(2)),
                new GrpcAuditShipper(audit.channel(), Duration.ofSeconds(5)), CLOCK)) {
            events.forEach(outbox::record);
            outbox.start();

            audit.awaitReceived(events.size(), 30);
        }

        assertEquals(events, audit.stored().stream().map(AuditEvents::fromProto).toList());
        assertEquals(events.size(), audit.received().size());
    }

    @Test
    void aBatchAcknowledgedBeforeTheMarkerWasWrittenIsResentAndTheServiceCountsDuplicates() throws Exception {
        GrpcAuditShipper grpc = new GrpcAuditShipper(audit.channel(), Duration.ofSeconds(5));
        CountDownLatch delivered = new CountDownLatch(1);
        // the audit service acknowledges, then the process "dies" before the marker is written
        AuditShipper ackThenHang = batch -> {
            grpc.ship(batch);
            delivered.countDown();
            new CountDownLatch(1).await(); // until close interrupts
        };
        List<AuditEvent> events = TestEvents.numbered(50);
        AuditOutbox first = new AuditOutbox(config(Duration.ofMillis(100)), ackThenHang, CLOCK);
        events.forEach(first::record);
        first.start();
        assertTrue(delivered.await(30, TimeUnit.SECONDS));
        first.close();

        try (AuditOutbox second = new AuditOutbox(config(Duration.ofSeconds(2)), grpc, CLOCK)) {
            assertEquals(50, second.backlog());
            second.start();
            audit.awaitReceived(100, 30);
        }

        List<String> ids = events.stream().map(e -> e.eventId().toString()).toList();
        List<String> received = audit.received().stream().map(dev.portcullis.v1.AuditEvent::getEventId).toList();
        assertEquals(ids, received.subList(0, 50));
        assertEquals(ids, received.subList(50, 100));
        assertEquals(events, audit.stored().stream().map(AuditEvents::fromProto).toList());
        assertEquals(List.of(AppendResponse.newBuilder().setStored(50).build(),
                AppendResponse.newBuilder().setDuplicates(50).build()), audit.responses());
    }
}
