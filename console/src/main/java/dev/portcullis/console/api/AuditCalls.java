package dev.portcullis.console.api;

import static java.util.Objects.requireNonNull;

import dev.portcullis.console.signin.IdToken;
import dev.portcullis.v1.AuditServiceGrpc;
import dev.portcullis.v1.ChainedEvent;
import dev.portcullis.v1.ListAlertsRequest;
import dev.portcullis.v1.ListAlertsResponse;
import dev.portcullis.v1.ListSourcesRequest;
import dev.portcullis.v1.ListSourcesResponse;
import dev.portcullis.v1.QueryRequest;
import dev.portcullis.v1.QueryResponse;
import dev.portcullis.v1.VerifyRequest;
import dev.portcullis.v1.VerifyResponse;
import dev.portcullis.v1.WatchAlertsRequest;
import dev.portcullis.v1.WatchAlertsResponse;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** The console's calls to the audit service, made for one signed-in user. Thread-safe. */
public final class AuditCalls {
    private final AuditServiceGrpc.AuditServiceBlockingStub stub;
    private final Duration timeout;

    private AuditServiceGrpc.AuditServiceBlockingStub as(IdToken token) {
        return stub.withCallCredentials(Calls.bearer(token)).withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

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

    /**
     * Streams the events {@code request} selects (asked for in batches) to {@code each}, in order,
     * until they end or {@code each} answers false; the call may last {@code maxDuration}.
     * Blocks.
     *
     * @throws CallRefusedException when refused or the stream fails, possibly after some events
     */
    public void stream(IdToken token, QueryRequest request, Duration maxDuration, Predicate<ChainedEvent> each) {
        try (Context.CancellableContext call = Context.current().withCancellation()) {
            call.run(() -> {
                try {
                    Iterator<QueryResponse> answers = stub.withCallCredentials(Calls.bearer(token))
                            .withDeadlineAfter(maxDuration.toMillis(), TimeUnit.MILLISECONDS)
                            .query(request.toBuilder().setBatched(true).build());
                    while (answers.hasNext()) {
                        for (ChainedEvent event : events(answers.next())) {
                            if (!each.test(event)) {
                                return; // closing the context cancels the stream
                            }
                        }
                    }
                } catch (StatusRuntimeException e) {
                    throw Calls.refusal(e);
                }
            });
        }
    }

    /** The events of one answer: its batch, or, from a service older than batches, its one event. */
    private static List<ChainedEvent> events(QueryResponse answer) {
        @SuppressWarnings("deprecation") // read only to understand a service that predates batches
        List<ChainedEvent> single = answer.hasEvent() ? List.of(answer.getEvent()) : List.of();
        return answer.getEventsCount() > 0 ? answer.getEventsList() : single;
    }

    /** Verifies the whole chain against the signed checkpoints. @throws CallRefusedException when refused */
    public VerifyResponse verify(IdToken token) {
        try {
            return as(token).verify(VerifyRequest.getDefaultInstance());
        } catch (StatusRuntimeException e) {
            throw Calls.refusal(e);
        }
    }

    /** One page of alerts, newest first. @throws CallRefusedException when refused */
    public ListAlertsResponse alerts(IdToken token, ListAlertsRequest request) {
        try {
            return as(token).listAlerts(request);
        } catch (StatusRuntimeException e) {
            throw Calls.refusal(e);
        }
    }

    /** The configured pipeline sources. @throws CallRefusedException when refused */
    public ListSourcesResponse sources(IdToken token) {
        try {
            return as(token).listSources(ListSourcesRequest.getDefaultInstance());
        } catch (StatusRuntimeException e) {
            throw Calls.refusal(e);
        }
    }

    /**
     * Streams alerts raised after sequence {@code afterSequence} (0: every stored one) to
     * {@code each} until {@code each} answers false or {@code maxDuration} passes. Blocks.
     *
     * @throws CallRefusedException when refused or the stream fails
     */
    public void watchAlerts(IdToken token, long afterSequence, Duration maxDuration, Predicate<WatchAlertsResponse> each) {
        try (Context.CancellableContext call = Context.current().withCancellation()) {
            call.run(() -> {
                try {
                    Iterator<WatchAlertsResponse> alerts = stub.withCallCredentials(Calls.bearer(token))
                            .withDeadlineAfter(maxDuration.toMillis(), TimeUnit.MILLISECONDS)
                            .watchAlerts(WatchAlertsRequest.newBuilder().setAfterSequence(afterSequence).build());
                    while (alerts.hasNext()) {
                        if (!each.test(alerts.next())) {
                            return;
                        }
                    }
                } catch (StatusRuntimeException e) {
                    if (e.getStatus().getCode() != io.grpc.Status.Code.DEADLINE_EXCEEDED) {
                        throw Calls.refusal(e);
                    }
                    // the browser's EventSource reconnects with Last-Event-ID and resumes
                }
            });
        }
    }
}
