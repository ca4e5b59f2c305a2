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
import dev.portcullis.v1.ChainedEvent;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
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

        List<QueryResponse> firstPage = query(QueryRequest.newBuilder().setOrder(QueryOrder.QUERY_ORDER_OLDEST_FIRST)
                .setActor("spiffe://test.example/ci/github/acme/app-1").setLimit(4));
        List<QueryResponse> secondPage = query(QueryRequest.newBuilder().setOrder(QueryOrder.QUERY_ORDER_OLDEST_FIRST)
                .setActor("spiffe://test.example/ci/github/acme/app-1").setLimit(100)
                .setCursor(firstPage.get(firstPage.size() - 1).getCursor()));

        assertEquals(List.of(2L, 5L, 8L, 11L), sequences(firstPage));
        assertEquals(List.of(14L, 17L, 20L, 23L, 26L, 29L), sequences(secondPage));
    }

    @Test
    void aBatchedPageComesAsOneMessageWhoseCursorContinuesAfterIt() {
        as(TestIdentity.OTHER_SERVICE).append(batch("executor", 0, 30));

        List<QueryResponse> page = query(QueryRequest.newBuilder().setLimit(10));
        List<QueryResponse> next = query(QueryRequest.newBuilder().setLimit(10).setCursor(page.get(0).getCursor()));

        assertEquals(1, page.size());
        assertEquals(LongStream.iterate(30, n -> n - 1).limit(10).boxed().toList(), sequences(page));
        assertEquals(LongStream.iterate(20, n -> n - 1).limit(10).boxed().toList(), sequences(next));
    }

    @Test
    void aBatchedAnswerLongerThanAStorePageComesInMessagesOfAPageEach() {
        as(TestIdentity.OTHER_SERVICE).append(batch("executor", 0, 500));
        as(TestIdentity.OTHER_SERVICE).append(batch("executor", 500, 620));

        List<QueryResponse> answer = query(QueryRequest.newBuilder().setOrder(QueryOrder.QUERY_ORDER_OLDEST_FIRST).setLimit(1000));

        assertEquals(List.of(QueryAnswer.PAGE, 620 - QueryAnswer.PAGE), answer.stream().map(QueryResponse::getEventsCount).toList());
        assertEquals(LongStream.rangeClosed(1, 620).boxed().toList(), sequences(answer));
        assertEquals(sequences(answer.subList(1, 2)),
                sequences(query(QueryRequest.newBuilder().setOrder(QueryOrder.QUERY_ORDER_OLDEST_FIRST).setLimit(1000)
                        .setCursor(answer.get(0).getCursor()))));
    }

    @Test
    void aBatchedAnswerOfLargeEventsIsSplitIntoMessagesOfAtMostOneMebibyte() {
        // 64 attributes of 1,000 characters: ≈ 66 kB an event, 70 of them ≈ 4.6 MB, above gRPC's 4 MiB message limit
        Map<String, String> large = new HashMap<>();
        IntStream.range(0, 64).forEach(k -> large.put("k" + k, String.valueOf((char) ('a' + k % 26)).repeat(1000)));
        for (int from = 0; from < 70; from += 35) {
            as(TestIdentity.OTHER_SERVICE).append(AppendRequest.newBuilder().addAllEvents(IntStream.range(from, from + 35)
                    .mapToObj(n -> AuditEvents.toProto(event("executor", n)).toBuilder().putAllAttributes(large).build()).toList())
                    .build());
        }

        List<QueryResponse> answer = query(QueryRequest.newBuilder().setOrder(QueryOrder.QUERY_ORDER_OLDEST_FIRST));

        assertEquals(LongStream.rangeClosed(1, 70).boxed().toList(), sequences(answer));
        assertTrue(answer.size() > 1);
        answer.forEach(message -> assertTrue(message.toBuilder().clearCursor().build().getSerializedSize() <= QueryAnswer.BATCH_BYTES,
                "a message of " + message.getSerializedSize() + " bytes"));
    }

    @Test
    @SuppressWarnings("deprecation") // the one-event form is what callers written before batches read
    void aCallerThatDoesNotAskForBatchesGetsOneEventAMessage() {
        as(TestIdentity.OTHER_SERVICE).append(batch("executor", 0, 5));
        List<QueryResponse> answer = new ArrayList<>();

        as(TestIdentity.AUDITOR).query(QueryRequest.newBuilder().setLimit(3).build()).forEachRemaining(answer::add);

        assertEquals(List.of(5L, 4L, 3L), answer.stream().map(message -> message.getEvent().getSequence()).toList());
        assertTrue(answer.stream().allMatch(message -> message.getEventsCount() == 0));
        assertEquals(List.of(2L, 1L), sequences(query(QueryRequest.newBuilder().setCursor(answer.get(2).getCursor()))));
    }

    @Test
    void aCursorFromTheOtherOrderIsRefused() {
        as(TestIdentity.OTHER_SERVICE).append(batch("executor", 0, 3));
        List<QueryResponse> newest = query(QueryRequest.newBuilder().setLimit(1));

        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> as(TestIdentity.AUDITOR)
                .query(QueryRequest.newBuilder().setOrder(QueryOrder.QUERY_ORDER_OLDEST_FIRST).setBatched(true)
                        .setCursor(newest.get(0).getCursor()).build()).hasNext());

        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
        assertEquals("PAGE_TOKEN_INVALID", unpack(e, ErrorInfo.class).getReason());
    }

    /** Every message of a batched query, as the auditor. */
    private List<QueryResponse> query(QueryRequest.Builder request) {
        List<QueryResponse> answer = new ArrayList<>();
        as(TestIdentity.AUDITOR).query(request.setBatched(true).build()).forEachRemaining(answer::add);
        return answer;
    }

    private static List<Long> sequences(List<QueryResponse> answer) {
        return answer.stream().flatMap(message -> message.getEventsList().stream()).map(ChainedEvent::getSequence).toList();
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

    @Test
    void verifySaysWhenTheNewestCheckpointWasSigned() {
        java.time.Instant before = java.time.Instant.now().minusSeconds(1);
        as(TestIdentity.OTHER_SERVICE).append(batch("executor", 0, 25));

        VerifyResponse report = as(TestIdentity.ADMIN).verify(VerifyRequest.getDefaultInstance());

        assertTrue(report.hasLatestSignedCheckpointTime(), report.toString());
        java.time.Instant signed = java.time.Instant.ofEpochSecond(report.getLatestSignedCheckpointTime().getSeconds(),
                report.getLatestSignedCheckpointTime().getNanos());
        assertTrue(!signed.isBefore(before) && !signed.isAfter(java.time.Instant.now().plusSeconds(1)), signed.toString());
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
