package dev.portcullis.console.api;

import static java.util.Objects.requireNonNull;

import dev.portcullis.console.signin.IdToken;
import dev.portcullis.v1.AuditServiceGrpc;
import dev.portcullis.v1.ChainedEvent;
import dev.portcullis.v1.ListAlertsRequest;
import dev.portcullis.v1.ListAlertsResponse;
import dev.portcullis.v1.ListSourcesRequest;
import dev.portcullis.v1.ListSourcesResponse;
import dev.portcullis.v1.QueryOrder;
import dev.portcullis.v1.QueryRequest;
import dev.portcullis.v1.QueryResponse;
import dev.portcullis.v1.SignCheckpointRequest;
import dev.portcullis.v1.SignCheckpointResponse;
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

    /**
     * Has the audit service sign a checkpoint of the whole log now (unless its newest already
     * covers every event) and returns it, as {@code portcullis audit export} does before it
     * writes. @throws CallRefusedException when refused (an empty log: {@code NO_CHECKPOINT})
     */
    public SignCheckpointResponse signCheckpoint(IdToken token) {
        try {
            return as(token).signCheckpoint(SignCheckpointRequest.getDefaultInstance());
        } catch (StatusRuntimeException e) {
            throw Calls.refusal(e);
        }
    }

    /**
     * Streams the log's events from sequence 1 through {@code throughSequence}, oldest first, to
     * {@code each}, in queries of at most {@link #LOG_PAGE} events that continue from the
     * service's cursor, until {@code each} answers false; the whole read may last
     * {@code maxDuration}. Events stored after {@code throughSequence} are not passed. Blocks.
     *
     * @throws CallRefusedException when refused or a query fails, possibly after some events
     */
    public void streamLog(IdToken token, long throughSequence, Duration maxDuration, Predicate<ChainedEvent> each) {
        long deadline = System.nanoTime() + maxDuration.toNanos();
        LogPage page = new LogPage("");
        while (page.lastSequence < throughSequence) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new CallRefusedException("DEADLINE_EXCEEDED", "", "the audit service did not send the log in time");
            }
            LogPage read = new LogPage(page.cursor);
            read.lastSequence = page.lastSequence;
            QueryRequest query = QueryRequest.newBuilder().setOrder(QueryOrder.QUERY_ORDER_OLDEST_FIRST).setLimit(LOG_PAGE)
                    .setCursor(page.cursor).setBatched(true).build();
            try (Context.CancellableContext call = Context.current().withCancellation()) {
                call.run(() -> read.from(stub.withCallCredentials(Calls.bearer(token)).withDeadlineAfter(left, TimeUnit.NANOSECONDS)
                        .query(query), throughSequence, each));
            }
            if (read.stopped || read.events < LOG_PAGE) {
                return;
            }
            page = read;
        }
    }

    /** One query of {@link #streamLog}: what it passed on and where the next continues. Used by one thread. */
    private static final class LogPage {
        private String cursor;
        private long events;
        private long lastSequence;
        private boolean stopped;

        LogPage(String cursor) {
            this.cursor = cursor;
        }

        void from(Iterator<QueryResponse> answers, long throughSequence, Predicate<ChainedEvent> each) {
            try {
                while (answers.hasNext()) {
                    QueryResponse answer = answers.next();
                    for (ChainedEvent event : events(answer)) {
                        events++;
                        if (event.getSequence() > throughSequence) {
                            continue; // stored after the checkpoint: left for the next export
                        }
                        lastSequence = event.getSequence();
                        if (!each.test(event)) {
                            stopped = true;
                            return; // closing the caller's context cancels the stream
                        }
                    }
                    cursor = answer.getCursor();
                }
            } catch (StatusRuntimeException e) {
                throw Calls.refusal(e);
            }
        }
    }

    /** Events one query of {@link #streamLog} asks for: the audit service's bound of one query. */
    public static final int LOG_PAGE = 10_000;

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
