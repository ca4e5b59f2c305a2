package dev.portcullis.console.api;

import static java.util.Objects.requireNonNull;

import dev.portcullis.console.signin.IdToken;
import dev.portcullis.v1.AuditServiceGrpc;
import dev.portcullis.v1.QueryRequest;
import dev.portcullis.v1.QueryResponse;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The console's calls to the audit service, made for one signed-in user. Thread-safe. */
public final class AuditCalls {
    private final AuditServiceGrpc.AuditServiceBlockingStub stub;
    private final Duration timeout;

    public AuditCalls(ManagedChannel channel, Duration timeout) {
        this.stub = AuditServiceGrpc.newBlockingStub(requireNonNull(channel, "channel is null"));
        this.timeout = requireNonNull(timeout, "timeout is null");
    }

    /** The events {@code request} selects (its limit bounds them). @throws CallRefusedException when refused */
    public List<QueryResponse> query(IdToken token, QueryRequest request) {
        try {
            Iterator<QueryResponse> answers = stub.withCallCredentials(Calls.bearer(token))
                    .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS).query(request);
            List<QueryResponse> events = new ArrayList<>();
            answers.forEachRemaining(events::add);
            return events;
        } catch (StatusRuntimeException e) {
            throw Calls.refusal(e);
        }
    }
}
