package dev.portcullis.executor.task;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.portcullis.catalog.SecretGrant;
import dev.portcullis.executor.artifact.ArtifactPath;
import dev.portcullis.executor.artifact.ArtifactRef;
import dev.portcullis.executor.plan.PlanSummaryJson;
import dev.portcullis.executor.plan.PlanTool;
import dev.portcullis.runtime.request.CommitSha;
import dev.portcullis.runtime.request.RepoFolder;
import dev.portcullis.runtime.request.RunId;
import dev.portcullis.runtime.request.Sha256Digest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * How a {@link TaskStore} keeps a task's header (spec and grants: references, never secret
 * values) and its events (state changes and already redacted lines): compact versioned binary
 * records, the format the executor's task journals had, so every field of a task survives
 * storage exactly. Stateless; thread-safe.
 */
public final class TaskCodec {
    private static final byte SPEC = 'S';
    private static final byte STATE = 'T';
    private static final byte LINE = 'L';
    /**
     * Version 3 adds the steps, the command's env and the plan summary tool after the trace id
     * (the argv field holds the first step's); version 2 added the trace id after the backend.
     * Older records are read as one step, no env, no summary (and version 1 with no trace id).
     */
    private static final int VERSION = 3;
    private static final int VERSION_WITHOUT_STEPS = 2;
    private static final int VERSION_WITHOUT_TRACE = 1;
    private static final int MAX_RECORD = 1 << 20;

    private TaskCodec() {}

    /** The stored form of a task's header. */
    public static byte[] header(TaskStore.Header header) {
        try {
            return encodeHeader(header);
        } catch (IOException e) {
            throw new UncheckedIOException("a task header cannot be encoded", e);
        }
    }

    /** @throws IllegalArgumentException when {@code bytes} is no task header this executor reads */
    public static TaskStore.Header header(byte[] bytes) {
        try {
            return decodeHeader(bytes);
        } catch (IOException e) {
            throw new IllegalArgumentException("not a task header this executor reads", e);
        }
    }

    /** The stored form of an event. */
    public static byte[] event(TaskEvent event) {
        try {
            return encodeEvent(event);
        } catch (IOException e) {
            throw new UncheckedIOException("a task event cannot be encoded", e);
        }
    }

    /** @throws IllegalArgumentException when {@code bytes} is no task event this executor reads */
    public static TaskEvent event(byte[] bytes) {
        try {
            return decodeEvent(bytes);
        } catch (IOException e) {
            throw new IllegalArgumentException("not a task event this executor reads", e);
        }
    }


    private static byte[] encodeHeader(TaskStore.Header header) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        TaskSpec spec = header.spec();
        out.writeByte(SPEC);
        out.writeInt(VERSION);
        string(out, spec.runId().value());
        string(out, spec.repoUrl());
        string(out, spec.commit().value());
        string(out, spec.folder().value());
        string(out, spec.environment());
        strings(out, spec.steps().get(0).argv());
        out.writeLong(spec.timeout().getSeconds());
        out.writeInt(spec.timeout().getNano());
        out.writeInt(header.grants().size());
        for (SecretGrant grant : header.grants()) {
            string(out, grant.toString());
        }
        string(out, spec.artifacts().produces().map(ArtifactPath::value).orElse(""));
        artifact(out, spec.artifacts().plan());
        string(out, header.backend().name());
        string(out, spec.traceId());
        out.writeInt(spec.steps().size());
        for (TaskStep step : spec.steps()) {
            strings(out, step.argv());
            out.writeBoolean(step.detailedExitcode());
        }
        Map<String, String> env = spec.sortedEnv();
        out.writeInt(env.size());
        for (Map.Entry<String, String> variable : env.entrySet()) {
            string(out, variable.getKey());
            string(out, variable.getValue()); // never a secret: the catalog's own text
        }
        string(out, spec.artifacts().summary().map(PlanTool::name).orElse(""));
        return bytes.toByteArray();
    }

    private static TaskStore.Header decodeHeader(byte[] payload) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(payload));
        if (in.readByte() != SPEC) {
            throw new IOException("not a task record");
        }
        int version = in.readInt();
        if (version != VERSION && version != VERSION_WITHOUT_STEPS && version != VERSION_WITHOUT_TRACE) {
            throw new IOException("not a task record of this version");
        }
        try {
            RunId runId = new RunId(string(in));
            String repoUrl = string(in);
            CommitSha commit = new CommitSha(string(in));
            RepoFolder folder = RepoFolder.parse(string(in));
            String environment = string(in);
            List<String> argv = strings(in);
            Duration timeout = Duration.ofSeconds(in.readLong(), in.readInt());
            List<SecretGrant> grants = new ArrayList<>();
            for (int i = in.readInt(); i > 0; i--) {
                grants.add(SecretGrant.parse(string(in)));
            }
            TaskArtifacts artifacts = TaskArtifacts.NONE;
            String produces = string(in);
            if (!produces.isEmpty()) {
                artifacts = artifacts.producing(new ArtifactPath(produces));
            }
            Optional<ArtifactRef> plan = artifact(in);
            if (plan.isPresent()) {
                artifacts = artifacts.applying(plan.get());
            }
            TaskBackend.Kind backend = TaskBackend.Kind.valueOf(string(in));
            String traceId = version == VERSION_WITHOUT_TRACE ? "" : string(in);
            List<TaskStep> steps = new ArrayList<>();
            Map<String, String> env = new HashMap<>();
            if (version == VERSION) {
                for (int i = in.readInt(); i > 0; i--) {
                    steps.add(new TaskStep(strings(in), in.readBoolean()));
                }
                for (int i = in.readInt(); i > 0; i--) {
                    env.put(string(in), string(in));
                }
                String tool = string(in);
                if (!tool.isEmpty()) {
                    artifacts = artifacts.summarisedBy(PlanTool.valueOf(tool));
                }
            } else {
                steps.add(TaskStep.of(argv));
            }
            return new TaskStore.Header(new TaskSpec(runId, repoUrl, commit, folder, environment, steps, env, timeout, artifacts,
                    traceId), grants, backend);
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new IOException("the task header is not valid", e);
        }
    }

    private static byte[] encodeEvent(TaskEvent event) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(128);
        DataOutputStream out = new DataOutputStream(bytes);
        if (event instanceof TaskEvent.Line line) {
            out.writeByte(LINE);
            out.writeLong(line.offset());
            instant(out, line.time());
            out.writeByte(line.stream().ordinal());
            out.writeBoolean(line.redacted());
            string(out, line.text());
        } else if (event instanceof TaskEvent.StateChanged changed) {
            Task task = changed.task();
            out.writeByte(STATE);
            out.writeLong(changed.offset());
            instant(out, changed.time());
            string(out, task.runId().value());
            string(out, task.backend().name());
            string(out, task.state().name());
            string(out, task.backendRef());
            out.writeBoolean(task.exitCode().isPresent());
            out.writeInt(task.exitCode().orElse(0));
            string(out, task.stopReason());
            string(out, task.failure().name());
            artifact(out, task.artifact());
            instant(out, task.createdAt());
            optionalInstant(out, task.startedAt());
            optionalInstant(out, task.endedAt());
            // appended fields: a record written before they existed ends here, and is read without them
            out.writeInt(task.failedStep().orElse(0));
            string(out, task.planSummary().map(plan -> plan.tool().name()).orElse(""));
            string(out, task.planSummary().map(plan -> PlanSummaryJson.write(plan.summary())).orElse(""));
        }
        return bytes.toByteArray();
    }

    private static TaskEvent decodeEvent(byte[] payload) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(payload));
        byte type = in.readByte();
        long offset = in.readLong();
        Instant time = instant(in);
        try {
            if (type == LINE) {
                TaskEvent.Stream stream = TaskEvent.Stream.values()[in.readByte()];
                boolean redacted = in.readBoolean();
                return new TaskEvent.Line(offset, time, stream, string(in), redacted);
            }
            if (type != STATE) {
                throw new IOException("unknown task record");
            }
            RunId runId = new RunId(string(in));
            TaskBackend.Kind backend = TaskBackend.Kind.valueOf(string(in));
            TaskState state = TaskState.valueOf(string(in));
            String backendRef = string(in);
            boolean exited = in.readBoolean();
            int exitCode = in.readInt();
            String stopReason = string(in);
            TaskFailure failure = TaskFailure.valueOf(string(in));
            Optional<ArtifactRef> artifact = artifact(in);
            Instant created = instant(in);
            Optional<Instant> started = optionalInstant(in);
            Optional<Instant> ended = optionalInstant(in);
            int failedStep = 0;
            Optional<SummarisedPlan> summary = Optional.empty();
            if (in.available() > 0) {
                failedStep = in.readInt();
                String tool = string(in);
                String json = string(in);
                summary = tool.isEmpty() ? Optional.empty()
                        : Optional.of(new SummarisedPlan(PlanTool.valueOf(tool), PlanSummaryJson.read(json)));
            }
            return new TaskEvent.StateChanged(offset, time, Task.restore(runId, backend, state, backendRef,
                    exited ? OptionalInt.of(exitCode) : OptionalInt.empty(), stopReason, failure, artifact, summary,
                    failedStep == 0 ? OptionalInt.empty() : OptionalInt.of(failedStep), created, started, ended));
        } catch (IllegalArgumentException | ArrayIndexOutOfBoundsException e) {
            throw new IOException("a task record is not valid", e);
        }
    }

    private static void strings(DataOutputStream out, List<String> values) throws IOException {
        out.writeInt(values.size());
        for (String value : values) {
            string(out, value);
        }
    }

    private static List<String> strings(DataInputStream in) throws IOException {
        int count = in.readInt();
        if (count < 0 || count > TaskStep.MAX_ARGUMENTS) {
            throw new IOException("a task record list is not valid");
        }
        List<String> values = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            values.add(string(in));
        }
        return values;
    }

    private static void string(DataOutputStream out, String value) throws IOException {
        byte[] bytes = value.getBytes(UTF_8);
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    private static String string(DataInputStream in) throws IOException {
        int length = in.readInt();
        if (length < 0 || length > MAX_RECORD) {
            throw new IOException("a task record string is not valid");
        }
        return new String(in.readNBytes(length), UTF_8);
    }

    private static void instant(DataOutputStream out, Instant instant) throws IOException {
        out.writeLong(instant.getEpochSecond());
        out.writeInt(instant.getNano());
    }

    private static Instant instant(DataInputStream in) throws IOException {
        return Instant.ofEpochSecond(in.readLong(), in.readInt());
    }

    private static void optionalInstant(DataOutputStream out, Optional<Instant> instant) throws IOException {
        out.writeBoolean(instant.isPresent());
        if (instant.isPresent()) {
            instant(out, instant.get());
        }
    }

    private static Optional<Instant> optionalInstant(DataInputStream in) throws IOException {
        return in.readBoolean() ? Optional.of(instant(in)) : Optional.empty();
    }

    private static void artifact(DataOutputStream out, Optional<ArtifactRef> artifact) throws IOException {
        out.writeBoolean(artifact.isPresent());
        if (artifact.isPresent()) {
            string(out, artifact.get().uri());
            string(out, artifact.get().sha256().value());
            out.writeLong(artifact.get().sizeBytes());
        }
    }

    private static Optional<ArtifactRef> artifact(DataInputStream in) throws IOException {
        if (!in.readBoolean()) {
            return Optional.empty();
        }
        return Optional.of(new ArtifactRef(string(in), new Sha256Digest(string(in)), in.readLong()));
    }

}
