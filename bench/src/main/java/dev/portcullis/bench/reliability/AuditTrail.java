package dev.portcullis.bench.reliability;

import static java.util.Objects.requireNonNull;

import dev.portcullis.v1.AuditAction;
import dev.portcullis.v1.AuditEvent;
import dev.portcullis.v1.AuditServiceGrpc;
import dev.portcullis.v1.QueryOrder;
import dev.portcullis.v1.QueryRequest;
import dev.portcullis.v1.QueryResponse;
import com.google.protobuf.Timestamp;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The suite's audit log as an auditor reads it ({@code AuditService.Query} over mTLS): the
 * events of some actions stored since a moment, oldest first.
 */
final class AuditTrail {
    private static final int PAGE = 5_000;

    private final ManagedChannel channel;

    AuditTrail(ManagedChannel channel) {
        this.channel = requireNonNull(channel, "channel is null");
    }

    /** Every event of {@code actions} at or after {@code since}, oldest first. */
    List<AuditEvent> since(Instant since, Set<AuditAction> actions, Duration deadline) {
        List<AuditEvent> events = new ArrayList<>();
        String cursor = "";
        while (true) {
            QueryRequest request = QueryRequest.newBuilder()
                    .setFromTime(Timestamp.newBuilder().setSeconds(since.getEpochSecond()).setNanos(since.getNano()))
                    .addAllActions(actions)
                    .setOrder(QueryOrder.QUERY_ORDER_OLDEST_FIRST)
                    .setLimit(PAGE)
                    .setCursor(cursor)
                    .setBatched(true)
                    .build();
            int page = 0;
            try {
                Iterator<QueryResponse> responses = AuditServiceGrpc.newBlockingStub(channel)
                        .withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS).query(request);
                while (responses.hasNext()) {
                    QueryResponse response = responses.next();
                    response.getEventsList().forEach(event -> events.add(event.getEvent()));
                    cursor = response.getCursor();
                    page += response.getEventsCount();
                }
            } catch (StatusRuntimeException e) {
                throw new IllegalStateException("the audit service refused the auditor's query: " + e.getStatus().getCode(), e);
            }
            if (page < PAGE) {
                return events;
            }
        }
    }
}
