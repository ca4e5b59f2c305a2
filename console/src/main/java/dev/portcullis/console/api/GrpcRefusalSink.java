package dev.portcullis.console.api;

import static java.util.Objects.requireNonNull;

import dev.portcullis.console.refusal.RefusalSink;
import dev.portcullis.runtime.audit.AuditEvent;
import dev.portcullis.runtime.audit.AuditEvents;
import dev.portcullis.v1.AppendRequest;
import dev.portcullis.v1.AuditServiceGrpc;
import io.grpc.ManagedChannel;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The console's refusals to the audit service's {@code Append}, with the console's certificate alone
 * (no person's token: the audit service admits its delegate's own refusals so). Thread-safe.
 */
public final class GrpcRefusalSink implements RefusalSink {
    private final AuditServiceGrpc.AuditServiceBlockingStub stub;
    private final Duration timeout;

    public GrpcRefusalSink(ManagedChannel channel, Duration timeout) {
        this.stub = AuditServiceGrpc.newBlockingStub(requireNonNull(channel, "channel is null"));
        this.timeout = requireNonNull(timeout, "timeout is null");
    }

    @Override
    public void append(List<AuditEvent> events) {
        AppendRequest.Builder request = AppendRequest.newBuilder();
        events.forEach(event -> request.addEvents(AuditEvents.toProto(event)));
        stub.withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS).append(request.build());
    }
}
