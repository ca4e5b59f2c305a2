package dev.portcullis.audit.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import dev.portcullis.runtime.audit.AuditAction;
import dev.portcullis.runtime.audit.AuditEvent;
import dev.portcullis.runtime.audit.AuditEvents;
import dev.portcullis.runtime.audit.AuditResource;
import dev.portcullis.runtime.testing.ServiceFixture;
import dev.portcullis.runtime.testing.TestChannels;
import dev.portcullis.runtime.testing.TestIdentity;
import dev.portcullis.v1.AppendRequest;
import dev.portcullis.v1.AppendResponse;
import dev.portcullis.v1.AuditServiceGrpc;
import dev.portcullis.v1.QueryOrder;
import dev.portcullis.v1.QueryRequest;
import dev.portcullis.v1.QueryResponse;
import dev.portcullis.v1.VerifyRequest;
import dev.portcullis.v1.VerifyResponse;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The audit service over real mTLS with its embedded H2 store. */
class AuditGrpcServiceTest {
    @TempDir
    Path dir;

    private ServiceFixture fixture;
    private final List<ManagedChannel> channels = new ArrayList<>();

    @BeforeEach
    void start() {
        fixture = ServiceFixture.start("audit", dir, Map.of("portcullis.audit.data-dir", dir.resolve("audit").toString(),
                "portcullis.audit.checkpoint-every", 10));
    }

    @AfterEach
    void stop() {
        channels.forEach(ManagedChannel::shutdownNow);
        fixture.close();
    }

    private AuditServiceGrpc.AuditServiceBlockingStub as(TestIdentity identity) {
        ManagedChannel channel = TestChannels.mtls(fixture.port(), fixture.credential(identity));
        channels.add(channel);
        return AuditServiceGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS);
    }

    private static AuditEvent event(String service, int n) {
        return AuditEvent.builder(service, n % 2 == 0 ? AuditAction.RUN_SUBMITTED : AuditAction.TASK_STARTED,
                        Instant.parse("2026-11-24T09:00:00Z").plusSeconds(n))
                .actor("spiffe://test.example/ci/github/acme/app-" + (n % 3))
                .resource(new AuditResource("run", "run-" + n, "infra-live", "run-" + n))
                .build();
    }

    private static AppendRequest batch(String service, int from, int to) {
        return AppendRequest.newBuilder().addAllEvents(IntStream.range(from, to)
                .mapToObj(n -> AuditEvents.toProto(event(service, n))).toList()).build();
    }

    @Test
    void aServiceAppendsItsEventsAndAResendIsStoredOnce() {
        AppendRequest request = batch("executor", 0, 25);

        AppendResponse first = as(TestIdentity.OTHER_SERVICE).append(request);
        AppendResponse again = as(TestIdentity.OTHER_SERVICE).append(request);

        assertEquals(25, first.getStored());
        assertEquals(0, again.getStored());
        assertEquals(25, again.getDuplicates());
    }

    @Test
    void aServiceMayNotWriteInAnotherServicesName() {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> as(TestIdentity.OTHER_SERVICE).append(batch("gateway", 0, 1)));

        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
        BadRequest details = unpack(e, BadRequest.class);
        assertEquals("events[0].service", details.getFieldViolations(0).getField());
    }

    @Test
    void anEmptyOrMalformedBatchIsRefusedWholeWithEveryViolation() {
        AppendRequest malformed = batch("executor", 0, 3).toBuilder()
                .setEvents(1, AuditEvents.toProto(event("executor", 1)).toBuilder().setActionValue(999))
                .setEvents(2, AuditEvents.toProto(event("executor", 2)).toBuilder().setEventId("not-a-uuid"))
                .build();

        StatusRuntimeException empty = assertThrows(StatusRuntimeException.class,
                () -> as(TestIdentity.OTHER_SERVICE).append(AppendRequest.getDefaultInstance()));
        StatusRuntimeException bad = assertThrows(StatusRuntimeException.class,
                () -> as(TestIdentity.OTHER_SERVICE).append(malformed));

        assertEquals(Status.Code.INVALID_ARGUMENT, empty.getStatus().getCode());
        assertEquals(List.of("events[1]", "events[2]"), unpack(bad, BadRequest.class).getFieldViolationsList().stream()
                .map(BadRequest.FieldViolation::getField).toList());
        assertEquals(0, as(TestIdentity.AUDITOR).verify(VerifyRequest.getDefaultInstance()).getChecked());
    }

    @Test
    void anAuditorQueriesWithFiltersOrderAndCursors() {
        as(TestIdentity.OTHER_SERVICE).append(batch("executor", 0, 30));

        List<QueryResponse> firstPage = new ArrayList<>();
        as(TestIdentity.AUDITOR).query(QueryRequest.newBuilder().setOrder(QueryOrder.QUERY_ORDER_OLDEST_FIRST)
                .setActor("spiffe://test.example/ci/github/acme/app-1").setLimit(4).build()).forEachRemaining(firstPage::add);
        List<QueryResponse> secondPage = new ArrayList<>();
        as(TestIdentity.AUDITOR).query(QueryRequest.newBuilder().setOrder(QueryOrder.QUERY_ORDER_OLDEST_FIRST)
                .setActor("spiffe://test.example/ci/github/acme/app-1").setLimit(100)
                .setCursor(firstPage.get(3).getCursor()).build()).forEachRemaining(secondPage::add);

        assertEquals(List.of(2L, 5L, 8L, 11L), firstPage.stream().map(r -> r.getEvent().getSequence()).toList());
        assertEquals(6, secondPage.size());
        assertEquals(14L, secondPage.get(0).getEvent().getSequence());
    }

    @Test
    void aCursorFromTheOtherOrderIsRefused() {
        as(TestIdentity.OTHER_SERVICE).append(batch("executor", 0, 3));
        List<QueryResponse> newest = new ArrayList<>();
        as(TestIdentity.AUDITOR).query(QueryRequest.newBuilder().setLimit(1).build()).forEachRemaining(newest::add);

        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> as(TestIdentity.AUDITOR)
                .query(QueryRequest.newBuilder().setOrder(QueryOrder.QUERY_ORDER_OLDEST_FIRST)
                        .setCursor(newest.get(0).getCursor()).build()).hasNext());

        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
        assertEquals("PAGE_TOKEN_INVALID", unpack(e, ErrorInfo.class).getReason());
    }

    @Test
    void verifyReportsAnIntactChainWithItsNewestCheckpoint() {
        as(TestIdentity.OTHER_SERVICE).append(batch("executor", 0, 25));

        VerifyResponse report = as(TestIdentity.ADMIN).verify(VerifyRequest.getDefaultInstance());

        assertTrue(report.getIntact(), report.getProblem());
        assertEquals(25, report.getChecked());
        assertTrue(report.getLatestSignedCheckpoint().split("\n")[1].matches("[1-9][0-9]*"), report.getLatestSignedCheckpoint());
        assertTrue(Long.parseLong(report.getLatestSignedCheckpoint().split("\n")[1]) >= 10);
        assertEquals(25 - Long.parseLong(report.getLatestSignedCheckpoint().split("\n")[1]), report.getUncovered());
    }

    private static <T extends com.google.protobuf.Message> T unpack(StatusRuntimeException e, Class<T> type) {
        return StatusProto.fromThrowable(e).getDetailsList().stream().filter(any -> any.is(type)).findFirst().map(any -> {
            try {
                return any.unpack(type);
            } catch (com.google.protobuf.InvalidProtocolBufferException ex) {
                throw new AssertionError(ex);
            }
        }).orElseThrow();
    }
}
