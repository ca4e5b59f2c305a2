package dev.portcullis.gateway.api;

import dev.portcullis.gateway.run.RunService;
import dev.portcullis.gateway.run.RunSpec;
import dev.portcullis.gateway.run.RunState;
import dev.portcullis.gateway.run.RunStore;
import dev.portcullis.runtime.error.DomainException;
import dev.portcullis.runtime.error.InvalidRequestException;
import dev.portcullis.runtime.identity.SpiffeId;
import dev.portcullis.runtime.request.CatalogName;
import dev.portcullis.runtime.request.CommitSha;
import dev.portcullis.runtime.request.FieldParser;
import dev.portcullis.runtime.request.GitRef;
import dev.portcullis.runtime.request.RepoFolder;
import dev.portcullis.runtime.request.RunId;
import dev.portcullis.v1.ApproveRunRequest;
import dev.portcullis.v1.CancelRunRequest;
import dev.portcullis.v1.ListRunsRequest;
import dev.portcullis.v1.RejectRunRequest;
import dev.portcullis.v1.SubmitRunRequest;
import dev.portcullis.v1.WatchRunRequest;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The gateway's requests parsed into domain values: every bound of {@code gateway.proto}
 * checked, every violation reported at once. Each method either returns values the domain can
 * trust or throws an {@link InvalidRequestException} (or, for a page token, a
 * {@link DomainException} of kind INVALID); nothing else.
 */
final class RunRequests {
    private static final Pattern REQUEST_KEY = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
    private static final Pattern DIGEST = Pattern.compile("[0-9a-f]{64}");
    static final int PAGE_DEFAULT = 50;
    static final int PAGE_MAX = 500;
    /** More state filters than there are states can only repeat some. */
    private static final int STATES_MAX = RunState.values().length;

    private RunRequests() {}

    /** A submission, stamped with the trace it belongs to. */
    static RunService.Submission submission(SubmitRunRequest request, String traceId, String traceSpanId) {
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
        return new RunService.Submission(spec, request.getRequestKey(), justification, traceId, traceSpanId);
    }

    /** A run id, the one field of GetRun. */
    static RunId runId(String text) {
        return FieldParser.single("run_id", text, RunId::new);
    }

    /** A page of runs to list: the query (one run more than the page, to tell if there is a next) and the page size. */
    record Listing(RunStore.RunQuery query, int pageSize) {}

    static Listing listing(ListRunsRequest request) {
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
        // uint32 on the wire: above 2^31-1 it arrives negative (found by RunRequestsFuzzTest)
        if (request.getPageSize() > PAGE_MAX || request.getPageSize() < 0) {
            fields.reject("page_size", "must be at most " + PAGE_MAX);
        }
        Set<RunState> states = EnumSet.noneOf(RunState.class);
        if (request.getStatesCount() > STATES_MAX) {
            fields.reject("states", "must name at most " + STATES_MAX + " states");
        } else {
            for (int i = 0; i < request.getStatesCount(); i++) {
                Optional<RunState> state = RunStates.fromProto(request.getStates(i));
                if (state.isPresent()) {
                    states.add(state.get());
                } else {
                    fields.reject("states[" + i + "]", "is not a run state");
                }
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
        RunStore.RunQuery.Drift drift = !request.hasDrift() ? RunStore.RunQuery.Drift.ANY
                : request.getDrift() ? RunStore.RunQuery.Drift.ONLY : RunStore.RunQuery.Drift.EXCLUDED;
        return new Listing(new RunStore.RunQuery(request.getRepo(), request.getEnvironment(), states, request.getRequester(),
                size + 1, before, drift), size);
    }

    /** Which run to watch, from which offset. */
    record Watching(RunId run, long fromOffset) {}

    static Watching watching(WatchRunRequest request) {
        FieldParser fields = new FieldParser();
        Optional<RunId> id = fields.parse("run_id", request.getRunId(), RunId::new);
        long from = fields.unsigned64("from_offset", request.getFromOffset());
        fields.throwIfInvalid();
        return new Watching(id.orElseThrow(), from);
    }

    /** An approval as asked for. */
    record Approving(RunId run, String planDigest, String comment) {}

    static Approving approving(ApproveRunRequest request) {
        FieldParser fields = new FieldParser();
        Optional<RunId> id = fields.parse("run_id", request.getRunId(), RunId::new);
        if (!request.getPlanDigest().isEmpty() && !DIGEST.matcher(request.getPlanDigest()).matches()) {
            fields.reject("plan_digest", "must be 64 lowercase hexadecimal characters or empty");
        }
        text(fields, "comment", request.getComment(), 0);
        fields.throwIfInvalid();
        return new Approving(id.orElseThrow(), request.getPlanDigest(), request.getComment());
    }

    /** A rejection or a cancellation: the run and why. */
    record Ending(RunId run, String reason) {}

    static Ending rejecting(RejectRunRequest request) {
        return ending(request.getRunId(), request.getReason(), 1);
    }

    static Ending cancelling(CancelRunRequest request) {
        return ending(request.getRunId(), request.getReason(), 0);
    }

    private static Ending ending(String runId, String reason, int minReason) {
        FieldParser fields = new FieldParser();
        Optional<RunId> id = fields.parse("run_id", runId, RunId::new);
        text(fields, "reason", reason, minReason);
        fields.throwIfInvalid();
        return new Ending(id.orElseThrow(), reason);
    }

    private static void text(FieldParser fields, String field, String text, int min) {
        if (text.length() < min || text.length() > 1024 || !text.chars().allMatch(c -> c >= 0x20 || c == '\n')) {
            fields.reject(field, "must be " + min + "-1024 printable characters");
        }
    }
}
