package dev.portcullis.gateway.client;

import dev.portcullis.v1.AppendRequest;
import dev.portcullis.v1.AppendResponse;
import dev.portcullis.v1.AuditEvent;
import dev.portcullis.v1.AuditServiceGrpc;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An audit service stand-in for the gateway's tests: stores every appended event, in order, and
 * acknowledges them all. Thread-safe.
 */
public final class RecordingAuditService extends AuditServiceGrpc.AuditServiceImplBase {
    private final List<AuditEvent> events = new CopyOnWriteArrayList<>();

    @Override
    public void append(AppendRequest request, StreamObserver<AppendResponse> response) {
        events.addAll(request.getEventsList());
        response.onNext(AppendResponse.newBuilder().setStored(request.getEventsCount()).build());
        response.onCompleted();
    }

    /** Every event appended so far (a live view). */
    public List<AuditEvent> events() {
        return events;
    }
}
