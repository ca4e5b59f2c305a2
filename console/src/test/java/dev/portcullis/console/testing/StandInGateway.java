package dev.portcullis.console.testing;

import com.nimbusds.jwt.SignedJWT;
import dev.portcullis.v1.Alert;
import dev.portcullis.v1.ApproveRunRequest;
import dev.portcullis.v1.DriftTargetStatus;
import dev.portcullis.v1.ListAlertsRequest;
import dev.portcullis.v1.ListAlertsResponse;
import dev.portcullis.v1.ListDriftTargetsRequest;
import dev.portcullis.v1.ListDriftTargetsResponse;
import dev.portcullis.v1.ListSourcesRequest;
import dev.portcullis.v1.ListSourcesResponse;
import dev.portcullis.v1.Source;
import dev.portcullis.v1.SignCheckpointRequest;
import dev.portcullis.v1.SignCheckpointResponse;
import dev.portcullis.v1.VerifyRequest;
import dev.portcullis.v1.VerifyResponse;
import dev.portcullis.v1.WatchAlertsRequest;
import dev.portcullis.v1.WatchAlertsResponse;
import io.grpc.Context;
import io.grpc.Contexts;
import dev.portcullis.v1.ApproveRunResponse;
import dev.portcullis.v1.AppendRequest;
import dev.portcullis.v1.AppendResponse;
import dev.portcullis.v1.AuditAction;
import dev.portcullis.v1.AuditEvent;
import dev.portcullis.v1.AuditOutcome;
import dev.portcullis.v1.AuditServiceGrpc;
import dev.portcullis.v1.GatewayServiceGrpc;
import dev.portcullis.v1.GetRunRequest;
import dev.portcullis.v1.GetRunResponse;
import dev.portcullis.v1.ListRunsRequest;
import dev.portcullis.v1.ListRunsResponse;
import dev.portcullis.v1.LogLine;
import dev.portcullis.v1.QueryRequest;
import dev.portcullis.v1.QueryResponse;
import dev.portcullis.v1.RejectRunRequest;
import dev.portcullis.v1.RejectRunResponse;
import dev.portcullis.v1.Run;
import dev.portcullis.v1.RunState;
import dev.portcullis.v1.WatchRunRequest;
import dev.portcullis.v1.WatchRunResponse;
import com.google.protobuf.Any;
import com.google.rpc.Code;
import com.google.rpc.ErrorInfo;
import com.google.rpc.Status;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.StreamObserver;
import dev.portcullis.runtime.transport.TlsMaterial;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Stands in for the gateway and the audit service across the console's mTLS channel: serves the
 * runs and events a test puts in, records every call's {@code authorization} header and every
 * approval, and refuses approvals the way a test says. The real services' own tests cover what
 * they decide; this checks what the console sends and shows. As the audit service's access rules
 * do, it refuses every audit call {@code PERMISSION_DENIED (ROLE_REQUIRED)} unless the caller's ID
 * token names the dev {@code auditor} or {@code admin}.
 */
public final class StandInGateway implements AutoCloseable {
    private static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    private final Map<String, Run> runs = new ConcurrentHashMap<>();
    private final List<String> authorizations = new CopyOnWriteArrayList<>();
    private final List<ApproveRunRequest> approvals = new CopyOnWriteArrayList<>();
    private final List<QueryRequest> queries = new CopyOnWriteArrayList<>();
    private final List<QueryResponse> events = new CopyOnWriteArrayList<>();
    private final List<Alert> alerts = new CopyOnWriteArrayList<>();
    private final List<Source> sources = new CopyOnWriteArrayList<>();
    private final List<DriftTargetStatus> driftTargets = new CopyOnWriteArrayList<>();
    private final List<WatchAlertsRequest> alertWatches = new CopyOnWriteArrayList<>();
    private volatile boolean queriesBreak;
    private volatile SignCheckpointResponse checkpoint;
    private volatile CountDownLatch runListsHeld = new CountDownLatch(0);
    private final AtomicInteger heldRunLists = new AtomicInteger();
    private volatile VerifyResponse verification = VerifyResponse.newBuilder().setIntact(true).build();
    private static final Context.Key<String> SUBJECT = Context.key("subject");
    private volatile Optional<Status> approvalRefusal = Optional.empty();
    private final Server server;
    private final List<AuditEvent> appended = new CopyOnWriteArrayList<>();
    private final AtomicInteger appendCalls = new AtomicInteger();
    private volatile CountDownLatch auditOutage = new CountDownLatch(0);

    public StandInGateway(TlsMaterial tls) {
        ServerInterceptor recordAuthorization = new ServerInterceptor() {
            @Override
            public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
                String authorization = Optional.ofNullable(headers.get(AUTHORIZATION)).orElse("");
                authorizations.add(authorization);
                return Contexts.interceptCall(Context.current().withValue(SUBJECT, subject(authorization)), call, headers, next);
            }
        };
        try {
            server = Grpc.newServerBuilderForPort(0, tls.serverCredentials())
                    .addService(ServerInterceptors.intercept(new Gateway(), recordAuthorization))
                    .addService(ServerInterceptors.intercept(new Audit(), recordAuthorization))
                    .build().start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String subject(String authorization) {
        try {
            return SignedJWT.parse(authorization.replaceFirst("^Bearer ", "")).getJWTClaimsSet().getSubject();
        } catch (java.text.ParseException e) {
            return "";
        }
    }

    /** The audit events the console appended, in order. */
    public List<AuditEvent> appended() {
        return List.copyOf(appended);
    }

    /** How many Append calls arrived, answered or not. */
    public int appendCalls() {
        return appendCalls.get();
    }

    /** Starts ({@code true}) or ends an audit outage: meanwhile Append calls hang, and are answered UNAVAILABLE when it ends. */
    public void auditDown(boolean down) {
        if (down) {
            auditOutage = new CountDownLatch(1);
        } else {
            auditOutage.countDown();
        }
    }

    public int port() {
        return server.getPort();
    }

    public void put(Run run) {
        runs.put(run.getRunId(), run);
    }

    public void putEvent(QueryResponse event) {
        events.add(event);
    }

    public void putAlert(Alert alert) {
        alerts.add(alert);
    }

    public void putSource(Source source) {
        sources.add(source);
    }

    public void putDriftTarget(DriftTargetStatus target) {
        driftTargets.add(target);
    }

    /** From now on, a query for more than one event sends its events and then fails UNAVAILABLE (a probe of one still answers). */
    public void breakQueries() {
        queriesBreak = true;
    }

    /** What SignCheckpoint answers from now on (until then: {@code NOT_FOUND (NO_CHECKPOINT)}, an empty log). */
    public void signsCheckpoint(SignCheckpointResponse response) {
        checkpoint = response;
    }

    /** From now on, ListRuns does not answer until {@link #releaseRunLists()} (or 60 seconds): a gateway that hangs. */
    public void holdRunLists() {
        runListsHeld = new CountDownLatch(1);
    }

    /** Lets every held ListRuns answer. */
    public void releaseRunLists() {
        runListsHeld.countDown();
    }

    /** ListRuns calls waiting now. */
    public int heldRunLists() {
        return heldRunLists.get();
    }

    /** What Verify answers from now on. */
    public void verifiesAs(VerifyResponse response) {
        verification = response;
    }

    public List<WatchAlertsRequest> alertWatches() {
        return List.copyOf(alertWatches);
    }

    /** Approvals are refused with {@code code} and ErrorInfo reason {@code reason} from now on. */
    public void refuseApprovals(Code code, String reason, String message) {
        approvalRefusal = Optional.of(Status.newBuilder().setCode(code.getNumber()).setMessage(message)
                .addDetails(Any.pack(ErrorInfo.newBuilder().setDomain("portcullis").setReason(reason).build())).build());
    }

    public List<String> authorizations() {
        return List.copyOf(authorizations);
    }

    public List<ApproveRunRequest> approvals() {
        return List.copyOf(approvals);
    }

    public List<QueryRequest> queries() {
        return List.copyOf(queries);
    }

    @Override
    public void close() {
        server.shutdownNow();
    }

    private final class Gateway extends GatewayServiceGrpc.GatewayServiceImplBase {
        @Override
        public void listDriftTargets(ListDriftTargetsRequest request, StreamObserver<ListDriftTargetsResponse> response) {
            response.onNext(ListDriftTargetsResponse.newBuilder().addAllTargets(driftTargets).build());
            response.onCompleted();
        }

        @Override
        public void listRuns(ListRunsRequest request, StreamObserver<ListRunsResponse> response) {
            CountDownLatch held = runListsHeld;
            if (held.getCount() > 0) {
                heldRunLists.incrementAndGet();
                try {
                    held.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    heldRunLists.decrementAndGet();
                }
            }
            response.onNext(ListRunsResponse.newBuilder().addAllRuns(runs.values().stream()
                    .filter(run -> request.getStatesCount() == 0 || request.getStatesList().contains(run.getState())).toList()).build());
            response.onCompleted();
        }

        @Override
        public void getRun(GetRunRequest request, StreamObserver<GetRunResponse> response) {
            Run run = runs.get(request.getRunId());
            if (run == null) {
                response.onError(io.grpc.Status.NOT_FOUND.withDescription("no run " + request.getRunId()).asRuntimeException());
                return;
            }
            response.onNext(GetRunResponse.newBuilder().setRun(run).build());
            response.onCompleted();
        }

        @Override
        public void approveRun(ApproveRunRequest request, StreamObserver<ApproveRunResponse> response) {
            if (approvalRefusal.isPresent()) {
                response.onError(StatusProto.toStatusRuntimeException(approvalRefusal.get()));
                return;
            }
            approvals.add(request);
            Run approved = runs.get(request.getRunId()).toBuilder().setState(RunState.RUN_STATE_QUEUED).build();
            runs.put(approved.getRunId(), approved);
            response.onNext(ApproveRunResponse.newBuilder().setRun(approved).build());
            response.onCompleted();
        }

        @Override
        public void rejectRun(RejectRunRequest request, StreamObserver<RejectRunResponse> response) {
            Run rejected = runs.get(request.getRunId()).toBuilder().setState(RunState.RUN_STATE_REJECTED)
                    .setStateReason(request.getReason()).build();
            runs.put(rejected.getRunId(), rejected);
            response.onNext(RejectRunResponse.newBuilder().setRun(rejected).build());
            response.onCompleted();
        }

        /** Two log lines, then the run's current state; offsets count from 0 and resume after {@code from_offset - 1}. */
        @Override
        public void watchRun(WatchRunRequest request, StreamObserver<WatchRunResponse> response) {
            Run run = runs.get(request.getRunId());
            List<WatchRunResponse> all = List.of(
                    WatchRunResponse.newBuilder().setOffset(0).setLogLine(LogLine.newBuilder().setText("first <line>")).build(),
                    WatchRunResponse.newBuilder().setOffset(1).setLogLine(LogLine.newBuilder().setText("second line")).build(),
                    WatchRunResponse.newBuilder().setOffset(2).setStateChange(run).build());
            all.stream().filter(event -> event.getOffset() >= request.getFromOffset()).forEach(response::onNext);
            response.onCompleted();
        }
    }

    private final class Audit extends AuditServiceGrpc.AuditServiceImplBase {
        /**
         * As the audit service admits its delegate: the console's certificate alone, for its own refusals.
         * During an outage ({@link #auditDown}) a call hangs until the outage ends, is then answered
         * UNAVAILABLE, and nothing is kept.
         */
        @Override
        public void append(AppendRequest request, StreamObserver<AppendResponse> response) {
            appendCalls.incrementAndGet();
            CountDownLatch outage = auditOutage;
            if (outage.getCount() > 0) {
                try {
                    outage.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                response.onError(io.grpc.Status.UNAVAILABLE.withDescription("the stand-in audit service was down").asRuntimeException());
                return;
            }
            boolean ownRefusals = SUBJECT.get().isEmpty() && request.getEventsList().stream().allMatch(event -> event.getService()
                    .equals("console") && event.getAction() == AuditAction.AUDIT_ACTION_AUTH_FAILED
                    && event.getOutcome() == AuditOutcome.AUDIT_OUTCOME_DENIED);
            if (!ownRefusals) {
                response.onError(io.grpc.Status.PERMISSION_DENIED.withDescription("only the console's own refusals").asRuntimeException());
                return;
            }
            appended.addAll(request.getEventsList());
            response.onNext(AppendResponse.newBuilder().setStored(request.getEventsCount()).build());
            response.onCompleted();
        }

        /** The audit service's access rule: auditor or admin. */
        private boolean refused(StreamObserver<?> response) {
            String subject = SUBJECT.get();
            if (subject.equals("auditor") || subject.equals("admin")) {
                return false;
            }
            response.onError(StatusProto.toStatusRuntimeException(Status.newBuilder().setCode(Code.PERMISSION_DENIED_VALUE)
                    .setMessage("the audit log needs the auditor or admin role")
                    .addDetails(Any.pack(ErrorInfo.newBuilder().setDomain("portcullis").setReason("ROLE_REQUIRED").build())).build()));
            return true;
        }

        /** Every event put in (the filters are the console's to send, the service's to apply), batched when asked, up to the limit. */
        @Override
        public void query(QueryRequest request, StreamObserver<QueryResponse> response) {
            if (refused(response)) {
                return;
            }
            queries.add(request);
            // a cursor continues after the event it names, as the service's does
            int from = 0;
            if (!request.getCursor().isEmpty()) {
                List<QueryResponse> all = List.copyOf(events);
                for (int i = 0; i < all.size(); i++) {
                    if (all.get(i).getCursor().equals(request.getCursor())) {
                        from = i + 1;
                    }
                }
            }
            List<QueryResponse> selected = events.stream().skip(from).limit(request.getLimit() == 0 ? 1000 : request.getLimit()).toList();
            if (!request.getBatched()) {
                selected.forEach(response::onNext);
            } else if (!selected.isEmpty()) {
                response.onNext(QueryResponse.newBuilder().setCursor(selected.get(selected.size() - 1).getCursor())
                        .addAllEvents(selected.stream().map(QueryResponse::getEvent).toList()).build());
            }
            if (queriesBreak && request.getLimit() > 1) {
                response.onError(io.grpc.Status.UNAVAILABLE.withDescription("store unavailable").asRuntimeException());
                return;
            }
            response.onCompleted();
        }

        @Override
        public void signCheckpoint(SignCheckpointRequest request, StreamObserver<SignCheckpointResponse> response) {
            if (refused(response)) {
                return;
            }
            SignCheckpointResponse signed = checkpoint;
            if (signed == null) {
                response.onError(StatusProto.toStatusRuntimeException(Status.newBuilder().setCode(Code.NOT_FOUND_VALUE)
                        .setMessage("the log is empty: there is nothing to sign")
                        .addDetails(Any.pack(ErrorInfo.newBuilder().setDomain("portcullis").setReason("NO_CHECKPOINT").build())).build()));
                return;
            }
            response.onNext(signed);
            response.onCompleted();
        }

        @Override
        public void verify(VerifyRequest request, StreamObserver<VerifyResponse> response) {
            if (refused(response)) {
                return;
            }
            response.onNext(verification);
            response.onCompleted();
        }

        @Override
        public void listAlerts(ListAlertsRequest request, StreamObserver<ListAlertsResponse> response) {
            if (refused(response)) {
                return;
            }
            List<Alert> newestFirst = new java.util.ArrayList<>(alerts);
            java.util.Collections.reverse(newestFirst);
            response.onNext(ListAlertsResponse.newBuilder().addAllAlerts(newestFirst).build());
            response.onCompleted();
        }

        /** The stored alerts after the sequence asked for, then ends (a real watch would follow). */
        @Override
        public void watchAlerts(WatchAlertsRequest request, StreamObserver<WatchAlertsResponse> response) {
            if (refused(response)) {
                return;
            }
            alertWatches.add(request);
            alerts.stream().filter(alert -> alert.getSequence() > request.getAfterSequence())
                    .forEach(alert -> response.onNext(WatchAlertsResponse.newBuilder().setAlert(alert).build()));
            response.onCompleted();
        }

        @Override
        public void listSources(ListSourcesRequest request, StreamObserver<ListSourcesResponse> response) {
            if (refused(response)) {
                return;
            }
            response.onNext(ListSourcesResponse.newBuilder().setListenerEnabled(true).addAllSources(sources).build());
            response.onCompleted();
        }
    }
}
