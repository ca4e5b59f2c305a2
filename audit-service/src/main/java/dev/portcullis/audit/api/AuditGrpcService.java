package dev.portcullis.audit.api;

import static java.util.Objects.requireNonNull;

import dev.portcullis.audit.alert.AlertPipeline;
import dev.portcullis.audit.alert.AlertStore;
import dev.portcullis.audit.alert.StoredAlert;
import com.google.protobuf.ByteString;
import com.google.protobuf.util.Timestamps;
import dev.portcullis.audit.chain.ChainVerification;
import dev.portcullis.audit.chain.LogProofs;
import dev.portcullis.audit.chain.SignedCheckpoint;
import dev.portcullis.audit.chain.StoredEvent;
import dev.portcullis.audit.chain.VerificationReport;
import dev.portcullis.audit.ingest.AuditIngest;
import dev.portcullis.audit.source.SourceActivity;
import dev.portcullis.audit.source.SourceMonitor;
import dev.portcullis.audit.source.SourceStatus;
import dev.portcullis.audit.store.AppendResult;
import dev.portcullis.audit.store.AuditStore;
import dev.portcullis.runtime.audit.AuditEvent;
import dev.portcullis.runtime.error.DomainException;
import dev.portcullis.runtime.role.Role;
import dev.portcullis.runtime.stream.EventFeed;
import dev.portcullis.runtime.stream.EventStreamer;
import dev.portcullis.runtime.telemetry.Telemetry;
import dev.portcullis.runtime.transport.Caller;
import dev.portcullis.runtime.transport.ErrorStatus;
import dev.portcullis.runtime.transport.ProtoTime;
import dev.portcullis.v1.Alert;
import dev.portcullis.v1.AlertSeverity;
import dev.portcullis.v1.AppendRequest;
import dev.portcullis.v1.AppendResponse;
import dev.portcullis.v1.AuditServiceGrpc;
import dev.portcullis.v1.GetConsistencyProofRequest;
import dev.portcullis.v1.GetConsistencyProofResponse;
import dev.portcullis.v1.GetInclusionProofRequest;
import dev.portcullis.v1.GetInclusionProofResponse;
import dev.portcullis.v1.SignCheckpointRequest;
import dev.portcullis.v1.SignCheckpointResponse;
import dev.portcullis.v1.ListAlertsRequest;
import dev.portcullis.v1.ListAlertsResponse;
import dev.portcullis.v1.ListSourcesRequest;
import dev.portcullis.v1.ListSourcesResponse;
import dev.portcullis.v1.Source;
import dev.portcullis.v1.SourceKind;
import dev.portcullis.v1.QueryRequest;
import dev.portcullis.v1.QueryResponse;
import dev.portcullis.v1.VerifyRequest;
import dev.portcullis.v1.VerifyResponse;
import dev.portcullis.v1.WatchAlertsRequest;
import dev.portcullis.v1.WatchAlertsResponse;
import io.grpc.stub.StreamObserver;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/** gRPC adapter of {@code portcullis.v1.AuditService}. Callers are authorised by the transport. */
public final class AuditGrpcService extends AuditServiceGrpc.AuditServiceImplBase {
    private static final Duration ALERT_RECHECK = Duration.ofSeconds(2);

    private final AuditIngest ingest;
    private final Telemetry telemetry;
    private final AuditStore store;
    private final ChainVerification verification;
    private final AlertStore alerts;
    private final AlertPipeline pipeline;
    private final SourceMonitor sources;
    private final boolean listenerEnabled;
    private final LogProofs proofs;
    private final EventStreamer streamer = new EventStreamer("audit service", ErrorStatus::of);
    private final DelegateAppendBudget delegateBudget = new DelegateAppendBudget(Clock.systemUTC());

    /**
     * @param sources the configured outside sources, for ListSources
     * @param listenerEnabled whether the HTTPS listener for their deliveries runs
     */
    public AuditGrpcService(AuditIngest ingest, AuditStore store, ChainVerification verification, AlertStore alerts,
            AlertPipeline pipeline, SourceMonitor sources, boolean listenerEnabled) {
        this(ingest, store, verification, alerts, pipeline, sources, listenerEnabled, Telemetry.disabled("audit"));
    }

    /**
     * As above; every appended event that names the span it was recorded in gets an
     * {@code audit.store} span in that span's trace, so a run's trace reaches its audit record.
     */
    public AuditGrpcService(AuditIngest ingest, AuditStore store, ChainVerification verification, AlertStore alerts,
            AlertPipeline pipeline, SourceMonitor sources, boolean listenerEnabled, Telemetry telemetry) {
        this.telemetry = requireNonNull(telemetry, "telemetry is null");
        this.sources = requireNonNull(sources, "sources is null");
        this.listenerEnabled = listenerEnabled;
        this.ingest = requireNonNull(ingest, "ingest is null");
        this.store = requireNonNull(store, "store is null");
        this.proofs = new LogProofs(store);
        this.verification = requireNonNull(verification, "verification is null");
        this.alerts = requireNonNull(alerts, "alerts is null");
        this.pipeline = requireNonNull(pipeline, "pipeline is null");
    }

    @Override
    public void listAlerts(ListAlertsRequest request, StreamObserver<ListAlertsResponse> response) {
        try {
            AuditRequests.AlertPage parsed = AuditRequests.alertPage(request);
            int pageSize = parsed.pageSize();
            List<StoredAlert> page = alerts.list(parsed.since(), parsed.rule(), parsed.before(), pageSize + 1);
            ListAlertsResponse.Builder result = ListAlertsResponse.newBuilder();
            page.stream().limit(pageSize).forEach(alert -> result.addAlerts(toProto(alert)));
            if (page.size() > pageSize) {
                result.setNextPageToken(Cursors.of(page.get(pageSize - 1).sequence(), true));
            }
            response.onNext(result.build());
            response.onCompleted();
        } catch (RuntimeException e) {
            response.onError(ErrorStatus.of(e));
        }
    }

    @Override
    public void watchAlerts(WatchAlertsRequest request, StreamObserver<WatchAlertsResponse> response) {
        streamer.open(response, () -> {
            OptionalLong after = AuditRequests.watchAfter(request);
            return new AlertWatch(alerts, pipeline, after.isPresent() ? after.getAsLong() : pipeline.newest());
        });
    }

    /** Alerts after a sequence, for as long as the caller watches. */
    private static final class AlertWatch implements EventFeed<WatchAlertsResponse> {
        private final AlertStore alerts;
        private final AlertPipeline pipeline;
        private long last;

        AlertWatch(AlertStore alerts, AlertPipeline pipeline, long last) {
            this.alerts = alerts;
            this.pipeline = pipeline;
            this.last = last;
        }

        @Override
        public List<WatchAlertsResponse> next(int max) {
            List<StoredAlert> next = alerts.after(last, max);
            if (!next.isEmpty()) {
                last = next.get(next.size() - 1).sequence();
            }
            return next.stream().map(alert -> WatchAlertsResponse.newBuilder().setAlert(toProto(alert)).build()).toList();
        }

        @Override
        public boolean finished() {
            return false;
        }

        @Override
        public void awaitMore() throws InterruptedException {
            // wakes on a new alert, or re-checks now and then for alerts raised by another replica
            pipeline.awaitNewerThan(last, ALERT_RECHECK);
        }
    }

    @Override
    public void listSources(ListSourcesRequest request, StreamObserver<ListSourcesResponse> response) {
        ListSourcesResponse.Builder result = ListSourcesResponse.newBuilder().setListenerEnabled(listenerEnabled);
        try {
            for (SourceStatus status : sources.statuses()) {
                SourceActivity activity = status.activity();
                Source.Builder source = Source.newBuilder()
                        .setName(status.source().name().value())
                        .setKind(toProto(status.source().kind()))
                        .setDeliveries(activity.deliveries())
                        .setRefusals(activity.refusals())
                        .setLastRefusalReason(activity.lastRefusalReason())
                        .setSilent(status.silent());
                activity.lastDeliveryTime().ifPresent(time -> source.setLastDeliveryTime(ProtoTime.of(time)));
                activity.lastRefusalTime().ifPresent(time -> source.setLastRefusalTime(ProtoTime.of(time)));
                status.source().watchedFor().ifPresent(max -> source.setMaxSilence(com.google.protobuf.Duration.newBuilder()
                        .setSeconds(max.getSeconds()).setNanos(max.getNano())));
                result.addSources(source);
            }
        } catch (RuntimeException e) {
            response.onError(ErrorStatus.of(e));
            return;
        }
        response.onNext(result.build());
        response.onCompleted();
    }

    private static Alert toProto(StoredAlert stored) {
        dev.portcullis.audit.alert.Alert alert = stored.alert();
        return Alert.newBuilder()
                .setSequence(stored.sequence())
                .setRaisedAt(ProtoTime.of(alert.raisedAt()))
                .setRule(alert.rule())
                .setSeverity(toProto(alert.severity()))
                .setSummary(alert.summary())
                .addAllEventIds(alert.eventIds().stream().map(Object::toString).toList())
                .putAllAttributes(alert.attributes())
                .build();
    }

    static AlertSeverity toProto(dev.portcullis.audit.alert.Alert.Severity severity) {
        return switch (severity) {
            case LOW -> AlertSeverity.ALERT_SEVERITY_LOW;
            case MEDIUM -> AlertSeverity.ALERT_SEVERITY_MEDIUM;
            case HIGH -> AlertSeverity.ALERT_SEVERITY_HIGH;
            case CRITICAL -> AlertSeverity.ALERT_SEVERITY_CRITICAL;
        };
    }

    static SourceKind toProto(dev.portcullis.audit.source.SourceKind kind) {
        return switch (kind) {
            case GITHUB -> SourceKind.SOURCE_KIND_GITHUB;
            case GITLAB -> SourceKind.SOURCE_KIND_GITLAB;
            case GENERIC -> SourceKind.SOURCE_KIND_GENERIC;
        };
    }

    @Override
    public void append(AppendRequest request, StreamObserver<AppendResponse> response) {
        try {
            Caller caller = Caller.current();
            List<String> segments = caller.identity().segments();
            List<AuditEvent> events = AuditRequests.batch(request, segments.get(segments.size() - 1));
            if (!caller.has(Role.SERVICE)) {
                // only a delegate (the console) gets here without the service role: its own refusals, nothing else,
                // and no more of them than its budget
                AuditRequests.delegateRefusals(events);
                delegateBudget.take(caller.identity().toString(), events.size());
            }
            AppendResult result = ingest.append(events);
            for (AuditEvent event : events) {
                String spanId = event.attributes().getOrDefault(AuditEvent.SPAN_ID_ATTRIBUTE, "");
                if (!event.traceId().isEmpty() && !spanId.isEmpty()) {
                    telemetry.inTrace(event.traceId(), spanId, "audit.store", Map.of("portcullis.audit_action",
                            event.action().dottedName(), "portcullis.service", event.service(),
                            "portcullis.run_id", event.resource().runId()), () -> { });
                }
            }
            response.onNext(AppendResponse.newBuilder()
                    .setStored(result.stored().size()).setDuplicates(result.duplicates()).build());
            response.onCompleted();
        } catch (RuntimeException e) {
            response.onError(ErrorStatus.of(e));
        }
    }

    @Override
    public void query(QueryRequest request, StreamObserver<QueryResponse> response) {
        // reads ahead at most one store page: QueryAnswer makes each page's messages
        streamer.open(response, () -> new QueryAnswer(store, AuditRequests.querying(request)), QueryAnswer.PAGE);
    }

    @Override
    public void verify(VerifyRequest request, StreamObserver<VerifyResponse> response) {
        try {
            AuditRequests.Verifying range = AuditRequests.verifying(request);
            VerificationReport report = verification.verify(range.fromSequence(), range.toSequence());
            VerifyResponse.Builder result = VerifyResponse.newBuilder()
                    .setIntact(report.intact())
                    .setChecked(report.checked())
                    .setProblem(report.problem())
                    .setMissingAfterCheckpoint(report.missingAfterCheckpoint());
            if (report.firstBrokenSequence() != 0) {
                result.setFirstBrokenSequence(report.firstBrokenSequence());
            }
            report.latestCheckpoint().ifPresent(c -> result.setLatestCheckpoint(ChainedEvents.toProto(c)));
            report.latestTreeCheckpoint().ifPresent(c -> result.setLatestSignedCheckpoint(c.note())
                    .setLatestSignedCheckpointTime(Timestamps.fromMillis(c.signedAt().toEpochMilli())));
            result.setUncovered(report.uncovered());
            response.onNext(result.build());
            response.onCompleted();
        } catch (RuntimeException e) {
            response.onError(ErrorStatus.of(e));
        }
    }

    @Override
    public void getInclusionProof(GetInclusionProofRequest request, StreamObserver<GetInclusionProofResponse> response) {
        ErrorStatus.reply(response, () -> {
            AuditRequests.Proving proving = AuditRequests.proving(request);
            long sequence = proving.eventIdIfAny().isEmpty() ? proving.sequence()
                    : store.sequenceOf(proving.eventIdIfAny().get(0)).orElseThrow(() -> new DomainException(
                            DomainException.Kind.NOT_FOUND, "EVENT_NOT_FOUND", "no event with that id is stored", Map.of()));
            long treeSize = proving.treeSize();
            if (treeSize == 0) {
                // proving against the newest checkpoint: sign one now when the event is newer than it
                treeSize = store.latestTreeCheckpoint().filter(c -> c.size() >= sequence)
                        .or(ingest::checkpointNow).map(SignedCheckpoint::size).orElseThrow(LogProofsApi::noCheckpoint);
            }
            LogProofs.Inclusion proof = proofs.inclusion(sequence, treeSize);
            List<StoredEvent> event = new java.util.ArrayList<>(1);
            store.scan(sequence, sequence, event::add);
            if (event.isEmpty()) {
                throw new DomainException(DomainException.Kind.NOT_FOUND, "EVENT_NOT_FOUND", "no event at that sequence", Map.of());
            }
            GetInclusionProofResponse.Builder result = GetInclusionProofResponse.newBuilder()
                    .setEvent(ChainedEvents.toProto(event.get(0)))
                    .setTreeSize(proof.treeSize());
            proof.hashes().forEach(hash -> result.addHashes(ByteString.copyFrom(hash)));
            store.treeCheckpointAt(proof.treeSize()).ifPresent(c -> result.setSignedCheckpoint(c.note()));
            return result.build();
        });
    }

    @Override
    public void getConsistencyProof(GetConsistencyProofRequest request, StreamObserver<GetConsistencyProofResponse> response) {
        ErrorStatus.reply(response, () -> {
            AuditRequests.Consisting consisting = AuditRequests.consisting(request);
            long to = consisting.toSize() != 0 ? consisting.toSize()
                    : store.latestTreeCheckpoint().map(SignedCheckpoint::size).orElseThrow(LogProofsApi::noCheckpoint);
            LogProofs.Consistency proof = proofs.consistency(consisting.fromSize(), to);
            GetConsistencyProofResponse.Builder result = GetConsistencyProofResponse.newBuilder()
                    .setFromSize(proof.fromSize()).setToSize(proof.toSize());
            proof.hashes().forEach(hash -> result.addHashes(ByteString.copyFrom(hash)));
            store.treeCheckpointAt(proof.toSize()).ifPresent(c -> result.setSignedCheckpoint(c.note()));
            return result.build();
        });
    }

    @Override
    public void signCheckpoint(SignCheckpointRequest request, StreamObserver<SignCheckpointResponse> response) {
        ErrorStatus.reply(response, () -> {
            SignedCheckpoint checkpoint = ingest.checkpointNow().orElseThrow(LogProofsApi::noCheckpoint);
            return SignCheckpointResponse.newBuilder().setSignedCheckpoint(checkpoint.note()).setTreeSize(checkpoint.size()).build();
        });
    }

    /** Failures shared by the proof RPCs. */
    private static final class LogProofsApi {
        private LogProofsApi() {}

        static DomainException noCheckpoint() {
            return new DomainException(DomainException.Kind.NOT_FOUND, "NO_CHECKPOINT",
                    "no checkpoint has been signed yet: the log is empty", Map.of());
        }
    }

    /** Opaque query cursors: the sequence to continue after, bound to the query's order. */
    static final class Cursors {
        private Cursors() {}

        static String of(long sequence, boolean newestFirst) {
            return Base64.getUrlEncoder().withoutPadding()
                    .encodeToString(("v1:" + (newestFirst ? "n" : "o") + ":" + sequence).getBytes(StandardCharsets.UTF_8));
        }

        static long sequence(String cursor, boolean newestFirst) {
            try {
                String[] parts = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8).split(":");
                if (parts.length == 3 && parts[0].equals("v1") && parts[1].equals(newestFirst ? "n" : "o")) {
                    long sequence = Long.parseLong(parts[2]);
                    if (sequence > 0) {
                        return sequence;
                    }
                }
            } catch (IllegalArgumentException e) {
                // reported below
            }
            throw new DomainException(DomainException.Kind.INVALID, "PAGE_TOKEN_INVALID",
                    "the cursor is malformed or belongs to a query in the other order", Map.of());
        }
    }
}
