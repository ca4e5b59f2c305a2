package dev.portcullis.gateway.api;

import static java.util.Objects.requireNonNull;

import dev.portcullis.gateway.run.Actor;
import dev.portcullis.gateway.run.Approval;
import dev.portcullis.gateway.run.Decision;
import dev.portcullis.gateway.run.PlanArtifact;
import dev.portcullis.gateway.run.Run;
import dev.portcullis.gateway.run.RunEvent;
import dev.portcullis.gateway.run.RunService;
import dev.portcullis.gateway.run.RunSpec;
import dev.portcullis.gateway.run.RunState;
import dev.portcullis.gateway.store.RunStore;
import dev.portcullis.runtime.audit.AuditAction;
import dev.portcullis.runtime.audit.AuditEvent;
import dev.portcullis.runtime.audit.AuditOutcome;
import dev.portcullis.runtime.audit.AuditRecorder;
import dev.portcullis.runtime.error.DomainException;
import dev.portcullis.runtime.error.InvalidRequestException;
import dev.portcullis.runtime.identity.SpiffeId;
import dev.portcullis.runtime.request.CatalogName;
import dev.portcullis.runtime.request.CommitSha;
import dev.portcullis.runtime.request.FieldParser;
import dev.portcullis.runtime.request.GitRef;
import dev.portcullis.runtime.request.RepoFolder;
import dev.portcullis.runtime.request.RunId;
import dev.portcullis.runtime.role.Role;
import dev.portcullis.runtime.telemetry.Telemetry;
import dev.portcullis.runtime.transport.Caller;
import dev.portcullis.runtime.transport.ErrorStatus;
import dev.portcullis.runtime.transport.ProtoTime;
import dev.portcullis.v1.ApproveRunRequest;
import dev.portcullis.v1.ApproveRunResponse;
import dev.portcullis.v1.ArtifactRef;
import dev.portcullis.v1.CancelRunRequest;
import dev.portcullis.v1.CancelRunResponse;
import dev.portcullis.v1.DecisionOutcome;
import dev.portcullis.v1.DecisionReason;
import dev.portcullis.v1.GatewayServiceGrpc;
import dev.portcullis.v1.GetRunRequest;
import dev.portcullis.v1.GetRunResponse;
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
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/** gRPC adapter of {@code portcullis.v1.GatewayService}: parses, calls {@link RunService}, maps back. */
public final class GatewayGrpcService extends GatewayServiceGrpc.GatewayServiceImplBase {
    private static final Pattern REQUEST_KEY = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int PAGE_DEFAULT = 50;
    private static final int PAGE_MAX = 500;
    private static final int WATCH_BATCH = 500;

    private final RunService runs;
    private final AuditRecorder audit;
    private final Clock clock;

    public GatewayGrpcService(RunService runs, AuditRecorder audit, Clock clock) {
        this.runs = requireNonNull(runs, "runs is null");
        this.audit = requireNonNull(audit, "audit is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    @Override
    public void submitRun(SubmitRunRequest request, StreamObserver<SubmitRunResponse> response) {
        Caller caller = Caller.current();
        Run run;
        try {
            RunService.Submission submission;
            try {
                submission = parse(request);
            } catch (InvalidRequestException invalid) {
                auditInvalid(caller, "SubmitRun", invalid);
                throw invalid;
            }
            run = runs.submit(submission, actor(caller));
        } catch (RuntimeException e) {
            response.onError(ErrorStatus.of(e));
            return;
        }
        response.onNext(SubmitRunResponse.newBuilder().setRun(toProto(run)).build());
        response.onCompleted();
    }

    private static RunService.Submission parse(SubmitRunRequest request) {
        FieldParser fields = new FieldParser();
        dev.portcullis.v1.RunSpec raw = request.getSpec();
        Optional<CatalogName> repo = fields.parse("spec.repo", raw.getRepo(), CatalogName::new);
        Optional<CommitSha> commit = fields.parse("spec.commit_sha", raw.getCommitSha(), CommitSha::new);
        Optional<GitRef> ref = fields.parse("spec.ref", raw.getRef(), GitRef::new);
        Optional<RepoFolder> folder = fields.parse("spec.folder", raw.getFolder(), RepoFolder::parse);
        Optional<CatalogName> environment = fields.parse("spec.environment", raw.getEnvironment(), CatalogName::new);
        Optional<CatalogName> command = fields.parse("spec.command", raw.getCommand(), CatalogName::new);
        Optional<RunId> planRun = raw.hasPlanRunId() ? fields.parse("spec.plan_run_id", raw.getPlanRunId(), RunId::new)
                : Optional.empty();
        if (!REQUEST_KEY.matcher(request.getRequestKey()).matches()) {
            fields.reject("request_key", "must be 1-128 characters of A-Z, a-z, 0-9, '.', '_', ':', '-'");
        }
        String justification = request.hasBreakGlassJustification() ? request.getBreakGlassJustification() : "";
        if (request.hasBreakGlassJustification() && (justification.strip().length() < 20 || justification.length() > 2048
                || !justification.chars().allMatch(c -> c >= 0x20 || c == '\n'))) {
            fields.reject("break_glass_justification", "must be 20-2048 printable characters saying why");
        }
        fields.throwIfInvalid();
        RunSpec spec = new RunSpec(repo.orElseThrow(), commit.orElseThrow(), ref.orElseThrow(), folder.orElseThrow(),
                environment.orElseThrow(), command.orElseThrow(), planRun);
        // inside the call's server span (the caller's trace when it sent one): the run is that trace
        Optional<String> traceId = Telemetry.currentTraceId();
        return new RunService.Submission(spec, request.getRequestKey(), justification, traceId.orElseGet(
                GatewayGrpcService::newTraceId), traceId.flatMap(ignored -> Telemetry.currentSpanId()).orElse(""));
    }

    private static String newTraceId() {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    @Override
    public void getRun(GetRunRequest request, StreamObserver<GetRunResponse> response) {
        try {
            Run run = runs.get(runId(request.getRunId()));
            response.onNext(GetRunResponse.newBuilder().setRun(toProto(run)).build());
            response.onCompleted();
        } catch (RuntimeException e) {
            response.onError(ErrorStatus.of(e));
        }
    }

    @Override
    public void listRuns(ListRunsRequest request, StreamObserver<ListRunsResponse> response) {
        try {
            FieldParser fields = new FieldParser();
            if (request.hasRepo()) {
                fields.parse("repo", request.getRepo(), CatalogName::new);
            }
            if (request.hasEnvironment()) {
                fields.parse("environment", request.getEnvironment(), CatalogName::new);
            }
            if (request.hasRequester()) {
                fields.parse("requester", request.getRequester(), SpiffeId::new);
            }
            if (request.getPageSize() > PAGE_MAX) {
                fields.reject("page_size", "must be at most " + PAGE_MAX);
            }
            Set<RunState> states = EnumSet.noneOf(RunState.class);
            for (int i = 0; i < request.getStatesCount(); i++) {
                dev.portcullis.v1.RunState state = request.getStates(i);
                if (state == dev.portcullis.v1.RunState.RUN_STATE_UNSPECIFIED || state == dev.portcullis.v1.RunState.UNRECOGNIZED) {
                    fields.reject("states[" + i + "]", "is not a run state");
                } else {
                    states.add(RunState.valueOf(state.name().substring("RUN_STATE_".length())));
                }
            }
            long before = Long.MAX_VALUE;
            if (!request.getPageToken().isEmpty()) {
                try {
                    before = Long.parseLong(request.getPageToken());
                } catch (NumberFormatException e) {
                    before = -1;
                }
                if (before < 1) {
                    throw new DomainException(DomainException.Kind.INVALID, "PAGE_TOKEN_INVALID",
                            "page_token is not one this service issued", Map.of());
                }
            }
            fields.throwIfInvalid();
            int size = request.getPageSize() == 0 ? PAGE_DEFAULT : request.getPageSize();
            List<Run> page = runs.list(new RunStore.RunQuery(request.getRepo(), request.getEnvironment(), states,
                    request.getRequester(), size + 1, before));
            ListRunsResponse.Builder reply = ListRunsResponse.newBuilder();
            page.stream().limit(size).forEach(run -> reply.addRuns(toProto(run)));
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
        ServerCallStreamObserver<WatchRunResponse> stream = (ServerCallStreamObserver<WatchRunResponse>) response;
        try {
            RunId id = runId(request.getRunId());
            Run run = runs.get(id);
            long offset = request.getFromOffset();
            if (offset > run.nextOffset()) {
                throw new DomainException(DomainException.Kind.OUT_OF_RANGE, "OFFSET_OUT_OF_RANGE", "from_offset " + offset
                        + " lies beyond the newest event (" + (run.nextOffset() - 1) + ")",
                        Map.of("newest_offset", Long.toString(run.nextOffset() - 1)));
            }
            while (!stream.isCancelled()) {
                long seen = runs.changeVersion();
                List<RunEvent> events = runs.events(id, offset, WATCH_BATCH);
                if (!events.isEmpty()) {
                    run = runs.get(id);
                }
                for (RunEvent event : events) {
                    response.onNext(toProto(event, run));
                    offset = event.offset() + 1;
                }
                if (events.isEmpty()) {
                    run = runs.get(id);
                    if (run.state().isFinal() && offset >= run.nextOffset()) {
                        break;
                    }
                    runs.awaitChange(seen, Duration.ofSeconds(1));
                }
            }
            if (!stream.isCancelled()) {
                response.onCompleted();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            response.onError(io.grpc.Status.UNAVAILABLE.withDescription("the gateway is shutting down").asRuntimeException());
        } catch (RuntimeException e) {
            if (!stream.isCancelled()) {
                response.onError(ErrorStatus.of(e));
            }
        }
    }

    @Override
    public void approveRun(ApproveRunRequest request, StreamObserver<ApproveRunResponse> response) {
        try {
            FieldParser fields = new FieldParser();
            Optional<RunId> id = fields.parse("run_id", request.getRunId(), RunId::new);
            if (!request.getPlanDigest().isEmpty() && !request.getPlanDigest().matches("[0-9a-f]{64}")) {
                fields.reject("plan_digest", "must be 64 lowercase hexadecimal characters or empty");
            }
            comment(fields, "comment", request.getComment(), 0);
            fields.throwIfInvalid();
            Run run = runs.approve(id.orElseThrow(), actor(Caller.current()), request.getPlanDigest(), request.getComment());
            response.onNext(ApproveRunResponse.newBuilder().setRun(toProto(run)).build());
            response.onCompleted();
        } catch (RuntimeException e) {
            response.onError(ErrorStatus.of(e));
        }
    }

    @Override
    public void rejectRun(RejectRunRequest request, StreamObserver<RejectRunResponse> response) {
        try {
            FieldParser fields = new FieldParser();
            Optional<RunId> id = fields.parse("run_id", request.getRunId(), RunId::new);
            comment(fields, "reason", request.getReason(), 1);
            fields.throwIfInvalid();
            Run run = runs.reject(id.orElseThrow(), actor(Caller.current()), request.getReason());
            response.onNext(RejectRunResponse.newBuilder().setRun(toProto(run)).build());
            response.onCompleted();
        } catch (RuntimeException e) {
            response.onError(ErrorStatus.of(e));
        }
    }

    @Override
    public void cancelRun(CancelRunRequest request, StreamObserver<CancelRunResponse> response) {
        try {
            FieldParser fields = new FieldParser();
            Optional<RunId> id = fields.parse("run_id", request.getRunId(), RunId::new);
            comment(fields, "reason", request.getReason(), 0);
            fields.throwIfInvalid();
            Run run = runs.cancel(id.orElseThrow(), actor(Caller.current()), request.getReason());
            response.onNext(CancelRunResponse.newBuilder().setRun(toProto(run)).build());
            response.onCompleted();
        } catch (RuntimeException e) {
            response.onError(ErrorStatus.of(e));
        }
    }

    private static void comment(FieldParser fields, String field, String text, int min) {
        if (text.length() < min || text.length() > 1024 || !text.chars().allMatch(c -> c >= 0x20 || c == '\n')) {
            fields.reject(field, "must be " + min + "-1024 printable characters");
        }
    }

    private static RunId runId(String text) {
        return FieldParser.single("run_id", text, RunId::new);
    }

    private static Actor actor(Caller caller) {
        return new Actor(caller.identity(), caller.has(Role.ADMIN), caller.remoteAddress());
    }

    private void auditInvalid(Caller caller, String method, InvalidRequestException invalid) {
        try {
            audit.record(AuditEvent.builder("gateway", AuditAction.REQUEST_INVALID, clock.instant())
                    .actor(caller.identity().value())
                    .outcome(AuditOutcome.DENIED)
                    .reason(invalid.reason())
                    .sourceAddress(caller.remoteAddress())
                    .attributes(Map.of("method", method, "fields", String.join(",",
                            invalid.violations().stream().map(v -> v.field()).distinct().toList())))
                    .build());
        } catch (RuntimeException e) {
            // refused anyway; the outbox reports itself unhealthy
        }
    }

    static dev.portcullis.v1.Run toProto(Run run) {
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
                .setState(dev.portcullis.v1.RunState.valueOf("RUN_STATE_" + run.state().name()))
                .setDecision(toProto(run.decision()))
                .setRequiredApprovals(run.decision().requiredApprovals())
                .setStateReason(run.stateReason())
                .setTraceId(run.traceId())
                .setCreatedAt(ProtoTime.of(run.createdAt()))
                .setUpdatedAt(ProtoTime.of(run.updatedAt()))
                .setQueuePosition(run.queuePosition())
                .setBreakGlass(run.breakGlass());
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
                .setKind(grant.kind() == Decision.SecretGrant.Kind.AWS ? SecretKind.SECRET_KIND_AWS : SecretKind.SECRET_KIND_KV)
                .setPath(grant.path())));
        if (!decision.producesArtifact().isEmpty()) {
            proto.setProducesArtifact(decision.producesArtifact());
        }
        return proto.build();
    }

    /**
     * A state change as it was when it happened, so a watcher that resumes or replays gets the
     * same bytes: the run's fixed parts plus what the event itself recorded.
     */
    private static WatchRunResponse toProto(RunEvent event, Run current) {
        WatchRunResponse.Builder proto = WatchRunResponse.newBuilder().setOffset(event.offset()).setTime(ProtoTime.of(event.time()));
        if (event instanceof RunEvent.StateChanged changed) {
            dev.portcullis.v1.Run.Builder run = toProto(current).toBuilder()
                    .setState(dev.portcullis.v1.RunState.valueOf("RUN_STATE_" + changed.state().name()))
                    .setStateReason(changed.reason())
                    .setUpdatedAt(ProtoTime.of(changed.time()))
                    .clearQueuePosition()
                    .clearApprovals()
                    .clearApprovalDeadline()
                    .clearPlanArtifact()
                    .clearExitCode();
            current.approvals().stream().filter(a -> !a.approvedAt().isAfter(changed.time())).forEach(a -> run.addApprovals(
                    dev.portcullis.v1.Approval.newBuilder().setApprover(a.approver().value()).setApprovedAt(ProtoTime.of(a.approvedAt()))
                            .setPlanDigest(a.planDigest()).setComment(a.comment())));
            if (changed.state() == RunState.AWAITING_APPROVAL) {
                current.approvalDeadline().ifPresent(deadline -> run.setApprovalDeadline(ProtoTime.of(deadline)));
            }
            if (changed.state().isFinal()) {
                current.artifact().ifPresent(artifact -> run.setPlanArtifact(toProto(artifact)));
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
