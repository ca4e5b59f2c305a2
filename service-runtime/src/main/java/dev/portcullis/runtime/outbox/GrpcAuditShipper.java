package dev.portcullis.runtime.outbox;

import static java.util.Objects.requireNonNull;

import dev.portcullis.runtime.audit.AuditEvent;
import dev.portcullis.runtime.audit.AuditEvents;
import dev.portcullis.v1.AppendRequest;
import dev.portcullis.v1.AppendResponse;
import dev.portcullis.v1.AuditServiceGrpc;
import io.grpc.Channel;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Ships batches with {@code AuditService.Append} over {@code channel} (the caller owns and
 * closes it), each call bounded by {@code deadline}. Thread-safe.
 */
public final class GrpcAuditShipper implements AuditShipper {
    /** The most events one {@code AppendRequest} may carry. */
    public static final int MAX_BATCH = 500;

    private final AuditServiceGrpc.AuditServiceBlockingStub stub;
    private final Duration deadline;

    public GrpcAuditShipper(Channel channel, Duration deadline) {
        this.stub = AuditServiceGrpc.newBlockingStub(requireNonNull(channel, "channel is null"));
        this.deadline = requireNonNull(deadline, "deadline is null");
        if (deadline.isNegative() || deadline.isZero()) {
            throw new IllegalArgumentException("deadline must be positive");
        }
    }

    /**
     * Appends {@code batch}. Returns when the audit service answered OK and counted every event
     * as stored or duplicate.
     *
     * @throws io.grpc.StatusRuntimeException when the call failed (UNAVAILABLE, DEADLINE_EXCEEDED, …)
     * @throws IllegalStateException when the service acknowledged fewer events than were sent
     */
    @Override
    public void ship(List<AuditEvent> batch) {
        if (batch.isEmpty() || batch.size() > MAX_BATCH) {
            throw new IllegalArgumentException("a batch holds 1 to " + MAX_BATCH + " events, not " + batch.size());
        }
        AppendRequest.Builder request = AppendRequest.newBuilder();
        batch.forEach(event -> request.addEvents(AuditEvents.toProto(event)));
        AppendResponse response = stub.withDeadlineAfter(deadline.toNanos(), TimeUnit.NANOSECONDS)
                .append(request.build());
        long acknowledged = (long) response.getStored() + response.getDuplicates();
        if (acknowledged < batch.size()) {
            throw new IllegalStateException("the audit service acknowledged " + acknowledged + " of " + batch.size()
                    + " events");
        }
    }
}
