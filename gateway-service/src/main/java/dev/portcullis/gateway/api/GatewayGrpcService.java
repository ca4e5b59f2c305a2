package dev.portcullis.gateway.api;

import static java.util.Objects.requireNonNull;

import dev.portcullis.gateway.client.PlanSummaries;
import dev.portcullis.gateway.drift.DriftChecks;
import dev.portcullis.gateway.drift.DriftScheduler;
import dev.portcullis.gateway.drift.DriftTargetId;
import dev.portcullis.gateway.run.Actor;
import dev.portcullis.gateway.run.Approval;
import dev.portcullis.gateway.run.Decision;
import dev.portcullis.gateway.run.PlanArtifact;
import dev.portcullis.gateway.run.PlanSummary;
import dev.portcullis.gateway.run.Run;
import dev.portcullis.gateway.run.RunEvent;
import dev.portcullis.gateway.run.RunService;
import dev.portcullis.gateway.run.RunSpec;
import dev.portcullis.gateway.run.RunState;
import dev.portcullis.runtime.audit.AuditAction;
import dev.portcullis.runtime.audit.AuditEvent;
import dev.portcullis.runtime.audit.AuditOutcome;
import dev.portcullis.runtime.audit.AuditRecorder;
import dev.portcullis.runtime.error.DomainException;
import dev.portcullis.runtime.error.InvalidRequestException;
import dev.portcullis.runtime.request.RunId;
import dev.portcullis.runtime.role.Role;
import dev.portcullis.runtime.stream.EventFeed;
import dev.portcullis.runtime.stream.EventStreamer;
import dev.portcullis.runtime.telemetry.Telemetry;
import dev.portcullis.runtime.transport.Caller;
import dev.portcullis.runtime.transport.ErrorStatus;
import dev.portcullis.runtime.transport.ProtoTime;
import dev.portcullis.v1.ApproveRunRequest;
import dev.portcullis.v1.ApproveRunResponse;
import dev.portcullis.v1.ArtifactRef;
import dev.portcullis.v1.CancelRunRequest;
import dev.portcullis.v1.CancelRunResponse;
import dev.portcullis.v1.CheckDriftNowRequest;
import dev.portcullis.v1.CheckDriftNowResponse;
import dev.portcullis.v1.DecisionOutcome;
import dev.portcullis.v1.DecisionReason;
import dev.portcullis.v1.GatewayServiceGrpc;
import dev.portcullis.v1.GetRunRequest;
import dev.portcullis.v1.GetRunResponse;
import dev.portcullis.v1.ListDriftTargetsRequest;
import dev.portcullis.v1.ListDriftTargetsResponse;
import dev.portcullis.v1.ListRunsRequest;
import dev.portcullis.v1.ListRunsResponse;
import dev.portcullis.v1.LogLine;
import dev.portcullis.v1.LogStream;
import dev.portcullis.v1.RejectRunRequest;
import dev.portcullis.v1.RejectRunResponse;
import dev.portcullis.v1.SecretGrant;
import dev.portcullis.v1.SecretKind;
import dev.portcullis.v1.SubmitRunRequest;
import dev.portcullis.v1.SubmitRunResponse;
import dev.portcullis.v1.WatchRunRequest;
import dev.portcullis.v1.WatchRunResponse;
import io.grpc.stub.StreamObserver;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * gRPC adapter of {@code portcullis.v1.GatewayService}: parses, calls {@link RunService} (runs) or
 * {@link DriftChecks} (drift targets), maps back.
 */
public final class GatewayGrpcService extends GatewayServiceGrpc.GatewayServiceImplBase {
    private static final SecureRandom RANDOM = new SecureRandom();
    // changes other replicas make wake no watcher here
    private static final Duration CHANGE_RECHECK = Duration.ofSeconds(1);

    private final RunService runs;
    private final DriftChecks drift;
    private final AuditRecorder audit;
    private final Clock clock;
    private final EventStreamer streamer = new EventStreamer("gateway", ErrorStatus::of);

    public GatewayGrpcService(RunService runs, DriftChecks drift, AuditRecorder audit, Clock clock) {
        this.runs = requireNonNull(runs, "runs is null");
        this.drift = requireNonNull(drift, "drift is null");
        this.audit = requireNonNull(audit, "audit is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    @Override
    public void submitRun(SubmitRunRequest request, StreamObserver<SubmitRunResponse> response) {
        Caller caller = Caller.current();
        Run run;
        try {
            // inside the call's server span (the caller's trace when it sent one): the run is that trace
            Optional<String> traceId = Telemetry.currentTraceId();
            RunService.Submission submission = parsed(caller, "SubmitRun", () -> RunRequests.submission(request,
                    traceId.orElseGet(GatewayGrpcService::newTraceId),
                    traceId.flatMap(ignored -> Telemetry.currentSpanId()).orElse("")));
            run = runs.submit(submission, actor(caller));
        } catch (RuntimeException e) {
            response.onError(ErrorStatus.of(e));
            return;
        }
        response.onNext(SubmitRunResponse.newBuilder().setRun(toProto(run, runs.planSummaryOf(run))).build());
        response.onCompleted();
    }

    private static String newTraceId() {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    @Override
    public void getRun(GetRunRequest request, StreamObserver<GetRunResponse> response) {
        try {
            Run run = runs.get(parsed(Caller.current(), "GetRun", () -> RunRequests.runId(request.getRunId())));
            response.onNext(GetRunResponse.newBuilder().setRun(toProto(run, runs.planSummaryOf(run))).build());
            response.onCompleted();
        } catch (RuntimeException e) {
            response.onError(ErrorStatus.of(e));
        }
    }

    @Override
    public void listRuns(ListRunsRequest request, StreamObserver<ListRunsResponse> response) {
        try {
            RunRequests.Listing listing = parsed(Caller.current(), "ListRuns", () -> RunRequests.listing(request));
            int size = listing.pageSize();
            List<Run> page = runs.list(listing.query());
            ListRunsResponse.Builder reply = ListRunsResponse.newBuilder();
            page.stream().limit(size).forEach(run -> reply.addRuns(toProto(run, runs.planSummaryOf(run))));
            if (page.size() > size) {
                reply.setNextPageToken(Long.toString(page.get(size - 1).sequence()));
            }
            response.onNext(reply.build());
            response.onCompleted();
        } catch (RuntimeException e) {
            response.onError(ErrorStatus.of(e));
        }
    }

    @Override
    public void watchRun(WatchRunRequest request, StreamObserver<WatchRunResponse> response) {
        streamer.open(response, () -> {
            RunRequests.Watching watching = parsed(Caller.current(), "WatchRun", () -> RunRequests.watching(request));
            RunId id = watching.run();
            Run run = runs.get(id);
            long offset = watching.fromOffset();
            if (offset > run.nextOffset()) {
                throw new DomainException(DomainException.Kind.OUT_OF_RANGE, "OFFSET_OUT_OF_RANGE", "from_offset " + offset
                        + " lies beyond the newest event (" + (run.nextOffset() - 1) + ")",
                        Map.of("newest_offset", Long.toString(run.nextOffset() - 1)));
            }
            return new RunWatch(runs, id, offset);
        });
    }

    /** A run's events from an offset until the run has ended and every event was sent. */
    private static final class RunWatch implements EventFeed<WatchRunResponse> {
        private final RunService runs;
        private final RunId id;
        private long offset;
        // the change counter read before the last read, so a change made since wakes the wait at once
        private long seen;

        RunWatch(RunService runs, RunId id, long offset) {
            this.runs = runs;
            this.id = id;
            this.offset = offset;
        }

        @Override
        public List<WatchRunResponse> next(int max) {
            seen = runs.changeVersion();
            List<RunEvent> events = runs.events(id, offset, max);
            if (events.isEmpty()) {
                return List.of();
            }
            Run run = runs.get(id);
            Optional<PlanSummary> summary = runs.planSummaryOf(run);
            offset = events.get(events.size() - 1).offset() + 1;
            return events.stream().map(event -> toProto(event, run, summary)).toList();
        }

        @Override
        public boolean finished() {
            Run run = runs.get(id);
            return run.state().isFinal() && offset >= run.nextOffset();
        }

        @Override
        public void awaitMore() throws InterruptedException {
            runs.awaitChange(seen, CHANGE_RECHECK);
        }
    }

    @Override
    public void approveRun(ApproveRunRequest request, StreamObserver<ApproveRunResponse> response) {
        try {
            Caller caller = Caller.current();
            RunRequests.Approving approving = parsed(caller, "ApproveRun", () -> RunRequests.approving(request));
            Run run = runs.approve(approving.run(), actor(caller), approving.planDigest(), approving.comment());
            response.onNext(ApproveRunResponse.newBuilder().setRun(toProto(run, runs.planSummaryOf(run))).build());
            response.onCompleted();
        } catch (RuntimeException e) {
            response.onError(ErrorStatus.of(e));
        }
    }

    @Override
    public void rejectRun(RejectRunRequest request, StreamObserver<RejectRunResponse> response) {
        try {
            Caller caller = Caller.current();
            RunRequests.Ending rejecting = parsed(caller, "RejectRun", () -> RunRequests.rejecting(request));
            Run run = runs.reject(rejecting.run(), actor(caller), rejecting.reason());
            response.onNext(RejectRunResponse.newBuilder().setRun(toProto(run, runs.planSummaryOf(run))).build());
            response.onCompleted();
        } catch (RuntimeException e) {
            response.onError(ErrorStatus.of(e));
        }
    }

    @Override
    public void cancelRun(CancelRunRequest request, StreamObserver<CancelRunResponse> response) {
        try {
            Caller caller = Caller.current();
            RunRequests.Ending cancelling = parsed(caller, "CancelRun", () -> RunRequests.cancelling(request));
            Run run = runs.cancel(cancelling.run(), actor(caller), cancelling.reason());
            response.onNext(CancelRunResponse.newBuilder().setRun(toProto(run, runs.planSummaryOf(run))).build());
            response.onCompleted();
        } catch (RuntimeException e) {
            response.onError(ErrorStatus.of(e));
        }
    }

    @Override
    public void listDriftTargets(ListDriftTargetsRequest request, StreamObserver<ListDriftTargetsResponse> response) {
        ErrorStatus.reply(response, () -> {
            ListDriftTargetsResponse.Builder reply = ListDriftTargetsResponse.newBuilder();
            drift.targets().forEach(target -> reply.addTargets(DriftMessages.toProto(target)));
            return reply.build();
        });
    }

    @Override
    public void checkDriftNow(CheckDriftNowRequest request, StreamObserver<CheckDriftNowResponse> response) {
        ErrorStatus.reply(response, () -> {
            Caller caller = Caller.current();
            DriftTargetId target = parsed(caller, "CheckDriftNow", () -> DriftMessages.target(request));
            DriftScheduler.Requested requested = drift.checkNow(target, actor(caller));
            Run run = runs.get(requested.run());
            return CheckDriftNowResponse.newBuilder().setRun(toProto(run, runs.planSummaryOf(run)))
                    .setAlreadyPending(requested.alreadyPending()).build();
        });
    }

    private static Actor actor(Caller caller) {
        return new Actor(caller.identity(), caller.has(Role.ADMIN), caller.remoteAddress(), caller.credential());
    }

    /** Parses a request; a malformed one is audited ({@code request.invalid}) before it is refused. */
    private <T> T parsed(Caller caller, String method, Supplier<T> parse) {
        try {
            return parse.get();
        } catch (DomainException invalid) {
            if (invalid.kind() == DomainException.Kind.INVALID) {
                auditInvalid(caller, method, invalid);
            }
            throw invalid;
        }
    }

    private void auditInvalid(Caller caller, String method, DomainException invalid) {
        List<String> fields = invalid instanceof InvalidRequestException request
                ? request.violations().stream().map(v -> v.field()).distinct().toList()
                : List.of();
        String joined = String.join(",", fields);
        try {
            audit.record(AuditEvent.builder("gateway", AuditAction.REQUEST_INVALID, clock.instant())
                    .actor(caller.identity().value())
                    .outcome(AuditOutcome.DENIED)
                    .reason(invalid.reason())
                    .sourceAddress(caller.remoteAddress())
                    .attributes(Map.of("method", method, "fields", joined.length() > AuditEvent.MAX_VALUE
                            ? joined.substring(0, AuditEvent.MAX_VALUE) : joined))
                    .build());
        } catch (RuntimeException e) {
            // refused anyway; the outbox reports itself unhealthy
        }
    }

    /** The run; {@code summary} is the plan summary an approver reads for it ({@link RunService#planSummaryOf}). */
    static dev.portcullis.v1.Run toProto(Run run, Optional<PlanSummary> summary) {
        RunSpec spec = run.spec();
        dev.portcullis.v1.RunSpec.Builder protoSpec = dev.portcullis.v1.RunSpec.newBuilder()
                .setRepo(spec.repo().value())
                .setCommitSha(spec.commit().value())
                .setRef(spec.ref().value())
                .setFolder(spec.folder().value())
                .setEnvironment(spec.environment().value())
                .setCommand(spec.command().value());
        spec.planRun().ifPresent(plan -> protoSpec.setPlanRunId(plan.value()));
        dev.portcullis.v1.Run.Builder proto = dev.portcullis.v1.Run.newBuilder()
                .setRunId(run.id().value())
                .setSpec(protoSpec)
                .setRequester(run.requester().value())
                .setState(RunStates.toProto(run.state()))
                .setDecision(toProto(run.decision()))
                .setRequiredApprovals(run.decision().requiredApprovals())
                .setStateReason(run.stateReason())
                .setTraceId(run.traceId())
                .setCreatedAt(ProtoTime.of(run.createdAt()))
                .setUpdatedAt(ProtoTime.of(run.updatedAt()))
                .setQueuePosition(run.queuePosition())
                .setBreakGlass(run.breakGlass())
                .setDrift(run.drift())
                .setAuthentication(run.authentication());
        for (Approval approval : run.approvals()) {
            proto.addApprovals(dev.portcullis.v1.Approval.newBuilder()
                    .setApprover(approval.approver().value())
                    .setApprovedAt(ProtoTime.of(approval.approvedAt()))
                    .setPlanDigest(approval.planDigest())
                    .setComment(approval.comment()));
        }
        if (run.state() == RunState.AWAITING_APPROVAL) {
            run.approvalDeadline().ifPresent(deadline -> proto.setApprovalDeadline(ProtoTime.of(deadline)));
        }
        run.artifact().ifPresent(artifact -> proto.setPlanArtifact(toProto(artifact)));
        run.exitCode().ifPresent(proto::setExitCode);
        summary.ifPresent(plan -> proto.setPlanSummary(PlanSummaries.toProto(plan)));
        return proto.build();
    }

    private static ArtifactRef toProto(PlanArtifact artifact) {
        return ArtifactRef.newBuilder().setUri(artifact.uri()).setSha256(artifact.sha256().value())
                .setSizeBytes(artifact.sizeBytes()).build();
    }

    private static dev.portcullis.v1.Decision toProto(Decision decision) {
        dev.portcullis.v1.Decision.Builder proto = dev.portcullis.v1.Decision.newBuilder()
                .setOutcome(decision.allowed() ? DecisionOutcome.DECISION_OUTCOME_ALLOW : DecisionOutcome.DECISION_OUTCOME_DENY)
                .setRequiredApprovals(decision.requiredApprovals())
                .setCatalogVersion(decision.catalogVersion())
                .addAllArgv(decision.argv())
                .setRequiresPlan(decision.requiresPlan())
                .addAllChangeWindows(decision.changeWindows());
        decision.reasons().forEach(reason -> proto.addReasons(DecisionReason.newBuilder()
                .setCode(reason.code()).setMessage(reason.message()).setField(reason.field())));
        decision.secretGrants().forEach(grant -> proto.addSecretGrants(SecretGrant.newBuilder()
                .setKind(grant.kind() == dev.portcullis.catalog.SecretGrant.Kind.AWS ? SecretKind.SECRET_KIND_AWS : SecretKind.SECRET_KIND_KV)
                .setPath(grant.path())));
        if (!decision.producesArtifact().isEmpty()) {
            proto.setProducesArtifact(decision.producesArtifact());
        }
        decision.steps().forEach(step -> proto.addSteps(PlanSummaries.toProto(step)));
        proto.putAllEnv(decision.env()).setPlanSummaryTool(PlanSummaries.toProto(decision.planSummaryTool()));
        decision.timeout().ifPresent(timeout -> proto.setTimeout(com.google.protobuf.Duration.newBuilder()
                .setSeconds(timeout.getSeconds()).setNanos(timeout.getNano())));
        return proto.build();
    }

    /**
     * A state change as it was when it happened, so a watcher that resumes or replays gets the
     * same bytes: the run's fixed parts plus what the event itself recorded.
     */
    private static WatchRunResponse toProto(RunEvent event, Run current, Optional<PlanSummary> summary) {
        WatchRunResponse.Builder proto = WatchRunResponse.newBuilder().setOffset(event.offset()).setTime(ProtoTime.of(event.time()));
        if (event instanceof RunEvent.StateChanged changed) {
            dev.portcullis.v1.Run.Builder run = toProto(current, summary).toBuilder()
                    .setState(RunStates.toProto(changed.state()))
                    .setStateReason(changed.reason())
                    .setUpdatedAt(ProtoTime.of(changed.time()))
                    .clearQueuePosition()
                    .clearApprovals()
                    .clearApprovalDeadline()
                    .clearPlanArtifact()
                    .clearExitCode()
                    .clearPlanSummary();
            current.approvals().stream().filter(a -> !a.approvedAt().isAfter(changed.time())).forEach(a -> run.addApprovals(
                    dev.portcullis.v1.Approval.newBuilder().setApprover(a.approver().value()).setApprovedAt(ProtoTime.of(a.approvedAt()))
                            .setPlanDigest(a.planDigest()).setComment(a.comment())));
            if (changed.state() == RunState.AWAITING_APPROVAL) {
                current.approvalDeadline().ifPresent(deadline -> run.setApprovalDeadline(ProtoTime.of(deadline)));
            }
            if (changed.state().isFinal()) {
                current.artifact().ifPresent(artifact -> run.setPlanArtifact(toProto(artifact)));
            }
            // a plan run's summary exists from its end; an apply's (its plan's) from the start
            if (changed.state().isFinal() || current.spec().planRun().isPresent()) {
                summary.ifPresent(plan -> run.setPlanSummary(PlanSummaries.toProto(plan)));
            }
            changed.exit().ifPresent(run::setExitCode);
            proto.setStateChange(run);
        } else if (event instanceof RunEvent.LogLine line) {
            proto.setLogLine(LogLine.newBuilder()
                    .setStream(switch (line.stream()) {
                        case STDOUT -> LogStream.LOG_STREAM_STDOUT;
                        case STDERR -> LogStream.LOG_STREAM_STDERR;
                        case SYSTEM -> LogStream.LOG_STREAM_SYSTEM;
                    })
                    .setText(line.text())
                    .setRedacted(line.redacted()));
        }
        return proto.build();
    }

}
