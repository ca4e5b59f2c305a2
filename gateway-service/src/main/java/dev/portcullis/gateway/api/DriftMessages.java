package dev.portcullis.gateway.api;

import dev.portcullis.gateway.client.PlanSummaries;
import dev.portcullis.gateway.drift.DriftRecord;
import dev.portcullis.gateway.drift.DriftState;
import dev.portcullis.gateway.drift.DriftStatus;
import dev.portcullis.gateway.drift.DriftTargetId;
import dev.portcullis.gateway.run.PlanSummary;
import dev.portcullis.gateway.run.Run;
import dev.portcullis.runtime.request.CatalogName;
import dev.portcullis.runtime.request.FieldParser;
import dev.portcullis.runtime.request.RepoFolder;
import dev.portcullis.runtime.transport.ProtoTime;
import dev.portcullis.v1.CheckDriftNowRequest;
import dev.portcullis.v1.DriftTargetStatus;
import java.util.Optional;

/** Drift targets and check requests between the domain and {@code portcullis.v1}. */
final class DriftMessages {
    private DriftMessages() {}

    /** The target a CheckDriftNow names; every malformed field reported at once. */
    static DriftTargetId target(CheckDriftNowRequest request) {
        FieldParser fields = new FieldParser();
        Optional<CatalogName> repo = fields.parse("repo", request.getRepo(), CatalogName::new);
        Optional<RepoFolder> folder = fields.parse("folder", request.getFolder(), RepoFolder::parse);
        Optional<CatalogName> environment = fields.parse("environment", request.getEnvironment(), CatalogName::new);
        fields.throwIfInvalid();
        return new DriftTargetId(repo.orElseThrow(), folder.orElseThrow(), environment.orElseThrow());
    }

    static DriftTargetStatus toProto(DriftStatus status) {
        DriftRecord record = status.record();
        DriftTargetStatus.Builder proto = DriftTargetStatus.newBuilder()
                .setRepo(record.id().repo().value())
                .setFolder(record.id().folder().value())
                .setEnvironment(record.id().environment().value())
                .setState(toProto(record.state()))
                .setStateReason(record.stateReason())
                .setCheckPending(record.checkPending())
                .setConsecutiveFailures(record.consecutiveFailures())
                .setNextDue(ProtoTime.of(record.nextDue()));
        record.resultAt().ifPresent(at -> proto.setLastCheckedAt(ProtoTime.of(at)));
        record.lastCheckStart().ifPresent(at -> proto.setLastCheckStartedAt(ProtoTime.of(at)));
        record.lastRun().ifPresent(run -> proto.setLastRunId(run.value()));
        record.resultRun().ifPresent(run -> proto.setResultRunId(run.value()));
        Optional<Run> result = status.result();
        result.ifPresent(run -> proto.setCommitSha(run.spec().commit().value()));
        result.flatMap(Run::planSummary).ifPresent(summary -> proto
                .setPlanCounts(PlanSummaries.toProto(summary).getCounts())
                .setResourceDrift(resourceDrift(summary)));
        return proto.build();
    }

    private static int resourceDrift(PlanSummary summary) {
        return (int) Math.min(Integer.MAX_VALUE, summary.drift().size() + summary.driftNotListed());
    }

    static dev.portcullis.v1.DriftState toProto(DriftState state) {
        return switch (state) {
            case UNKNOWN -> dev.portcullis.v1.DriftState.DRIFT_STATE_UNKNOWN;
            case IN_SYNC -> dev.portcullis.v1.DriftState.DRIFT_STATE_IN_SYNC;
            case DRIFTED -> dev.portcullis.v1.DriftState.DRIFT_STATE_DRIFTED;
            case FAILING -> dev.portcullis.v1.DriftState.DRIFT_STATE_FAILING;
        };
    }
}
