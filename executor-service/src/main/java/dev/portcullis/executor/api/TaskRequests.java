package dev.portcullis.executor.api;

import dev.portcullis.catalog.SecretGrant;
import dev.portcullis.executor.artifact.ArtifactPath;
import dev.portcullis.executor.artifact.ArtifactRef;
import dev.portcullis.executor.task.TaskArtifacts;
import dev.portcullis.executor.task.TaskSpec;
import dev.portcullis.runtime.error.InvalidRequestException;
import dev.portcullis.runtime.request.CommitSha;
import dev.portcullis.runtime.request.FieldParser;
import dev.portcullis.runtime.request.RepoFolder;
import dev.portcullis.runtime.request.RunId;
import dev.portcullis.runtime.request.Sha256Digest;
import dev.portcullis.v1.CancelTaskRequest;
import dev.portcullis.v1.WatchTaskRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The executor's requests parsed into domain values, every bound checked and every violation
 * reported at once: each method returns values the task service can trust or throws an
 * {@link InvalidRequestException}; nothing else.
 */
final class TaskRequests {
    private TaskRequests() {}

    record ParsedTask(TaskSpec spec, List<SecretGrant> grants) {}

    /** Stands in for a malformed digest while the other fields are checked; never reaches a task. */
    private static final Sha256Digest ANY_DIGEST = new Sha256Digest("0".repeat(64));

    static ParsedTask task(dev.portcullis.v1.TaskSpec proto) {
        FieldParser fields = new FieldParser();
        Optional<RunId> runId = fields.parse("task.run_id", proto.getRunId(), RunId::new);
        Optional<CommitSha> commit = fields.parse("task.commit_sha", proto.getCommitSha(), CommitSha::new);
        Optional<RepoFolder> folder = fields.parse("task.folder", proto.getFolder(), RepoFolder::parse);
        if (proto.getEnvironment().isEmpty() || proto.getEnvironment().length() > 100) {
            fields.reject("task.environment", "must be 1-100 characters");
        }
        List<SecretGrant> grants = new ArrayList<>();
        for (int i = 0; i < proto.getSecretGrantsCount(); i++) {
            dev.portcullis.v1.SecretGrant grant = proto.getSecretGrants(i);
            String field = "task.secret_grants[" + i + "]";
            SecretGrant.Kind kind = switch (grant.getKind()) {
                case SECRET_KIND_KV -> SecretGrant.Kind.KV;
                case SECRET_KIND_AWS -> SecretGrant.Kind.AWS;
                default -> null;
            };
            if (kind == null) {
                fields.reject(field + ".kind", "must be KV or AWS");
            } else {
                fields.parse(field + ".path", grant.getPath(), path -> new SecretGrant(kind, path)).ifPresent(grants::add);
            }
        }
        // checked before Duration sees it: Duration.ofSeconds overflows (ArithmeticException) near Long.MAX_VALUE
        long seconds = proto.getTimeout().getSeconds();
        int nanos = proto.getTimeout().getNanos();
        Duration timeout = Duration.ZERO;
        if (seconds < 1 || seconds > TaskSpec.MAX_TIMEOUT.getSeconds() || nanos < 0 || nanos > 999_999_999) {
            fields.reject("task.timeout", "must be between 1 second and 24 hours");
        } else {
            timeout = Duration.ofSeconds(seconds, nanos);
        }
        Optional<ArtifactPath> produces = proto.hasProducesArtifact()
                ? fields.parse("task.produces_artifact", proto.getProducesArtifact(), ArtifactPath::new) : Optional.empty();
        Optional<ArtifactRef> plan = Optional.empty();
        if (proto.hasPlanArtifact()) {
            dev.portcullis.v1.ArtifactRef ref = proto.getPlanArtifact();
            Optional<Sha256Digest> digest = fields.parse("task.plan_artifact.sha256", ref.getSha256(), Sha256Digest::new);
            long size = fields.unsigned64("task.plan_artifact.size_bytes", ref.getSizeBytes());
            plan = fields.parse("task.plan_artifact.uri", ref.getUri(), uri -> new ArtifactRef(uri,
                    digest.orElse(ANY_DIGEST), size));
        }
        fields.throwIfInvalid();
        TaskArtifacts artifacts = TaskArtifacts.NONE;
        if (produces.isPresent()) {
            artifacts = artifacts.producing(produces.get());
        }
        if (plan.isPresent()) {
            artifacts = artifacts.applying(plan.get());
        }
        TaskArtifacts parsedArtifacts = artifacts;
        Duration checkedTimeout = timeout;
        Optional<TaskSpec> spec = fields.parse("task", "", ignored -> new TaskSpec(runId.orElseThrow(), proto.getRepoUrl(),
                commit.orElseThrow(), folder.orElseThrow(), proto.getEnvironment(), proto.getArgvList(), checkedTimeout,
                parsedArtifacts, proto.getTraceId()));
        fields.throwIfInvalid();
        return new ParsedTask(spec.orElseThrow(), grants);
    }

    static RunId runId(String text) {
        return FieldParser.single("run_id", text, RunId::new);
    }

    /** Which task to watch, from which offset. */
    record Watching(RunId run, long fromOffset) {}

    static Watching watching(WatchTaskRequest request) {
        FieldParser fields = new FieldParser();
        Optional<RunId> id = fields.parse("run_id", request.getRunId(), RunId::new);
        long from = fields.unsigned64("from_offset", request.getFromOffset());
        fields.throwIfInvalid();
        return new Watching(id.orElseThrow(), from);
    }

    /** Why a task is cancelled, cut to 1024 characters (the gateway has checked it already). */
    static String cancelReason(CancelTaskRequest request) {
        return request.getReason().length() > 1024 ? request.getReason().substring(0, 1024) : request.getReason();
    }
}
