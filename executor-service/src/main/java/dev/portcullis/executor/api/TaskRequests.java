package dev.portcullis.executor.api;

import dev.portcullis.catalog.SecretGrant;
import dev.portcullis.executor.artifact.ArtifactPath;
import dev.portcullis.executor.artifact.ArtifactRef;
import dev.portcullis.executor.plan.PlanTool;
import dev.portcullis.executor.task.TaskArtifacts;
import dev.portcullis.executor.task.TaskSpec;
import dev.portcullis.executor.task.TaskStep;
import dev.portcullis.runtime.error.InvalidRequestException;
import dev.portcullis.runtime.request.CommitSha;
import dev.portcullis.runtime.request.FieldParser;
import dev.portcullis.runtime.request.RepoFolder;
import dev.portcullis.runtime.request.RunId;
import dev.portcullis.runtime.request.Sha256Digest;
import dev.portcullis.v1.CancelTaskRequest;
import dev.portcullis.v1.CommandStep;
import dev.portcullis.v1.WatchTaskRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The executor's requests parsed into domain values, every bound checked and every violation
 * reported at once: each method returns values the task service can trust or throws an
 * {@link InvalidRequestException}; nothing else.
 */
final class TaskRequests {
    private TaskRequests() {}

    record ParsedTask(TaskSpec spec, List<SecretGrant> grants) {}

    /** The variables a granted AWS role sets in the task's environment. */
    private static final Set<String> AWS_VARIABLES = Set.of("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN");

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
        List<TaskStep> steps = steps(proto, fields);
        Map<String, String> env = env(proto, grants, fields);
        Optional<ArtifactPath> produces = proto.hasProducesArtifact()
                ? fields.parse("task.produces_artifact", proto.getProducesArtifact(), ArtifactPath::new) : Optional.empty();
        Optional<PlanTool> summary = switch (proto.getPlanSummaryTool()) {
            case PLAN_TOOL_UNSPECIFIED -> Optional.empty();
            case PLAN_TOOL_TERRAFORM -> Optional.of(PlanTool.TERRAFORM);
            case PLAN_TOOL_TOFU -> Optional.of(PlanTool.TOFU);
            default -> {
                fields.reject("task.plan_summary_tool", "must be UNSPECIFIED, TERRAFORM or TOFU");
                yield Optional.empty();
            }
        };
        if (summary.isPresent() && !proto.hasProducesArtifact()) {
            fields.reject("task.plan_summary_tool", "is valid only for a task with produces_artifact");
        }
        if (produces.isPresent() && produces.get().equals(TaskArtifacts.PLAN_JSON)) {
            fields.reject("task.produces_artifact", "is reserved for the plan JSON");
        }
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
            if (summary.isPresent()) {
                artifacts = artifacts.summarisedBy(summary.get());
            }
        }
        if (plan.isPresent()) {
            artifacts = artifacts.applying(plan.get());
        }
        TaskArtifacts parsedArtifacts = artifacts;
        Duration checkedTimeout = timeout;
        Optional<TaskSpec> spec = fields.parse("task", "", ignored -> new TaskSpec(runId.orElseThrow(), proto.getRepoUrl(),
                commit.orElseThrow(), folder.orElseThrow(), proto.getEnvironment(), steps, env, checkedTimeout,
                parsedArtifacts, proto.getTraceId()));
        fields.throwIfInvalid();
        return new ParsedTask(spec.orElseThrow(), grants);
    }

    /** The one step of {@code argv}, or {@code steps}: exactly one of them is set. */
    private static List<TaskStep> steps(dev.portcullis.v1.TaskSpec proto, FieldParser fields) {
        if (proto.getArgvCount() > 0 && proto.getStepsCount() > 0) {
            fields.reject("task.steps", "set exactly one of argv and steps");
            return List.of();
        }
        if (proto.getStepsCount() == 0) {
            return argv("task.argv", proto.getArgvList(), fields).map(argv -> List.of(TaskStep.of(argv))).orElse(List.of());
        }
        if (proto.getStepsCount() > TaskSpec.MAX_STEPS) {
            fields.reject("task.steps", "must hold 1-" + TaskSpec.MAX_STEPS + " steps");
            return List.of();
        }
        List<TaskStep> steps = new ArrayList<>();
        for (int i = 0; i < proto.getStepsCount(); i++) {
            CommandStep step = proto.getSteps(i);
            argv("task.steps[" + i + "].argv", step.getArgvList(), fields)
                    .ifPresent(argv -> steps.add(new TaskStep(argv, step.getDetailedExitcode())));
        }
        return steps;
    }

    private static Optional<List<String>> argv(String field, List<String> argv, FieldParser fields) {
        if (argv.isEmpty() || argv.size() > TaskStep.MAX_ARGUMENTS) {
            fields.reject(field, "must hold 1-" + TaskStep.MAX_ARGUMENTS + " arguments");
            return Optional.empty();
        }
        boolean valid = true;
        for (int i = 0; i < argv.size(); i++) {
            if (!TaskStep.validArgument(argv.get(i))) {
                fields.reject(field + "[" + i + "]", "must be at most " + TaskStep.MAX_ARGUMENT_BYTES + " bytes, without NUL");
                valid = false;
            }
        }
        return valid ? Optional.of(argv) : Optional.empty();
    }

    /** The command's env; a name a granted AWS role also sets is refused (a KV secret's keys are known only once read). */
    private static Map<String, String> env(dev.portcullis.v1.TaskSpec proto, List<SecretGrant> grants, FieldParser fields) {
        if (proto.getEnvCount() > TaskSpec.MAX_VARIABLES) {
            fields.reject("task.env", "must hold at most " + TaskSpec.MAX_VARIABLES + " variables");
            return Map.of();
        }
        boolean aws = grants.stream().anyMatch(grant -> grant.kind() == SecretGrant.Kind.AWS);
        Map<String, String> env = new TreeMap<>(proto.getEnvMap());
        Map<String, String> valid = new HashMap<>();
        env.forEach((name, value) -> {
            // the name goes into the field only when it is a well-formed name: it is the caller's text
            String field = name.matches("[A-Z_][A-Z0-9_]{0,254}") ? "task.env[" + name + "]" : "task.env";
            Optional<String> problem = TaskSpec.variableProblem(name, value);
            if (problem.isPresent()) {
                fields.reject(field, problem.get());
            } else if (aws && AWS_VARIABLES.contains(name)) {
                fields.reject(field, "is set by the granted AWS credentials");
            } else {
                valid.put(name, value);
            }
        });
        return valid;
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
