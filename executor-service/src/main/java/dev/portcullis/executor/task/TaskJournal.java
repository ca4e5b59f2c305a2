package dev.portcullis.executor.task;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import dev.portcullis.catalog.SecretGrant;
import dev.portcullis.executor.artifact.ArtifactPath;
import dev.portcullis.executor.artifact.ArtifactRef;
import dev.portcullis.executor.plan.PlanSummaryJson;
import dev.portcullis.executor.plan.PlanTool;
import dev.portcullis.runtime.framing.FramedLog;
import dev.portcullis.runtime.framing.FramedLog.Valid;
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
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * One task's append-only journal: {@code DIR/RUN_ID.journal}. It starts with the task's spec and
 * grants (references, never secret values) and then holds every event of the task's stream —
 * state changes and already redacted log lines — so that a new executor answers for the task with
 * its full log. The file is a {@link FramedLog} (magic "PCTJ"); a torn record at the end (a crash
 * mid-write) is cut off when the journal is replayed. Journals written before the framing was
 * shared have no file header and a CRC over the payload only: they are rewritten in the current
 * framing when opened. State changes are forced to disk before they are acknowledged; log lines
 * are written through to the OS and reach the disk with the next state change. Thread-safe.
 */
final class TaskJournal implements AutoCloseable {
    static final String SUFFIX = ".journal";
    private static final byte SPEC = 'S';
    private static final byte STATE = 'T';
    private static final byte LINE = 'L';
    /** The task's end is on the audit record; no offset, not a task event. */
    private static final byte END_AUDITED = 'A';
    /**
     * Version 3 adds the steps, the command's env and the plan summary tool after the trace id
     * (the argv field holds the first step's); version 2 added the trace id after the backend.
     * Older journals are read as one step, no env, no summary (and version 1 with no trace id).
     */
    private static final int VERSION = 3;
    private static final int VERSION_WITHOUT_STEPS = 2;
    private static final int VERSION_WITHOUT_TRACE = 1;
    private static final int MAX_RECORD = 1 << 20;
    static final FramedLog FORMAT = new FramedLog(0x5043544A, 1, MAX_RECORD); // "PCTJ"
    private static final String UPGRADING = ".upgrading";

    private final Path file;
    private final FileChannel channel;
    // guarded by this
    private long size;

    private TaskJournal(Path file, FileChannel channel, long size) {
        this.file = file;
        this.channel = channel;
        this.size = size;
    }

    /** What a journal says about its task. */
    record Header(TaskSpec spec, List<SecretGrant> grants, TaskBackend.Kind backend) {
        Header {
            requireNonNull(spec, "spec is null");
            grants = List.copyOf(grants);
            requireNonNull(backend, "backend is null");
        }
    }

    /** Receives the events of a replayed journal with their positions. */
    interface Replay {
        void event(TaskEvent event, long position);

        /** The journal says the task's end was handed to the audit outbox. */
        default void endAudited() {
        }
    }

    /**
     * Creates the journal of a new task: its header is written and its directory entry forced to
     * disk; the header itself reaches the disk with the task's first state, which is forced before
     * StartTask answers (one sync for both). A crash before that leaves a journal without a header
     * or without a state, which {@link TaskRegistry#recover} discards: no task was acknowledged.
     */
    static TaskJournal create(Path dir, Header header) {
        Path file = dir.resolve(header.spec().runId().value() + SUFFIX);
        try {
            Files.createDirectories(dir);
            FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                    StandardOpenOption.READ);
            FramedLog.writeFully(channel, FORMAT.header(), 0);
            TaskJournal journal = new TaskJournal(file, channel, FramedLog.HEADER_BYTES);
            journal.write(encodeHeader(header), false);
            forceDirectory(dir);
            return journal;
        } catch (IOException e) {
            throw new UncheckedIOException("the task journal cannot be created", e);
        }
    }

    /** The journal files in {@code dir}. */
    static List<Path> files(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (var listing = Files.list(dir)) {
            return listing.filter(p -> p.getFileName().toString().endsWith(SUFFIX)).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("the task journals cannot be listed", e);
        }
    }

    /**
     * Opens an existing journal: reads its header, hands every event to the {@link Replay} that
     * {@code replayFor} returns for it, cuts off a torn tail, and returns the header; the journal
     * (handed to {@code replayFor}) is then ready for more events.
     *
     * @throws UncheckedIOException when the file cannot be read or has no valid header
     */
    static Header open(Path file, java.util.function.BiFunction<Header, TaskJournal, Replay> replayFor) {
        FileChannel channel = null;
        try {
            upgradeIfUnframed(file);
            channel = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.READ);
            long limit = channel.size();
            Optional<byte[]> first = readRecord(channel, FramedLog.HEADER_BYTES, limit);
            if (first.isEmpty()) {
                throw new HeaderNeverWritten();
            }
            Header header = decodeHeader(first.get());
            TaskJournal journal = new TaskJournal(file, channel, 0);
            Replay replay = replayFor.apply(header, journal);
            long position = FramedLog.HEADER_BYTES + FramedLog.FRAME_HEADER_BYTES + first.get().length;
            while (true) {
                Optional<byte[]> record = readRecord(channel, position, limit);
                if (record.isEmpty()) {
                    break;
                }
                if (record.get()[0] == END_AUDITED) {
                    replay.endAudited();
                } else {
                    replay.event(decodeEvent(record.get()), position);
                }
                position += FramedLog.FRAME_HEADER_BYTES + record.get().length;
            }
            if (position < channel.size()) {
                channel.truncate(position);
                channel.force(true);
            }
            synchronized (journal) {
                journal.size = position;
            }
            return header;
        } catch (IOException e) {
            if (channel != null) {
                try {
                    channel.close();
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw new UncheckedIOException("the task journal " + file.getFileName() + " cannot be read", e);
        }
    }

    /**
     * Appends {@code event}; with {@code force} it is on disk when this returns.
     *
     * @return the position of the event's record, for {@link #read}
     */
    long append(TaskEvent event, boolean force) {
        try {
            return write(encodeEvent(event), force);
        } catch (IOException e) {
            throw new UncheckedIOException("the task journal cannot be written", e);
        }
    }

    /**
     * Notes that the task's end was handed to the audit outbox. Not forced: should it be lost, the
     * end is recorded again on restart under the same event id, and stored once.
     */
    void markEndAudited() {
        try {
            write(new byte[] {END_AUDITED}, false);
        } catch (IOException e) {
            throw new UncheckedIOException("the task journal cannot be written", e);
        }
    }

    /**
     * Reads up to {@code max} events with offsets from {@code fromOffset}, scanning from the
     * record at {@code position} (at or before that offset's record). Does not block writers.
     */
    List<TaskEvent> read(long position, long fromOffset, int max) {
        List<TaskEvent> events = new ArrayList<>();
        long end;
        synchronized (this) {
            end = size;
        }
        try {
            long at = Math.max(position, FramedLog.HEADER_BYTES); // 0 means from the first record
            while (at < end && events.size() < max) {
                Optional<byte[]> record = readRecord(channel, at, end);
                if (record.isEmpty()) {
                    break;
                }
                at += FramedLog.FRAME_HEADER_BYTES + record.get().length;
                if (record.get()[0] == SPEC || record.get()[0] == END_AUDITED) {
                    continue;
                }
                TaskEvent event = decodeEvent(record.get());
                if (event.offset() >= fromOffset) {
                    events.add(event);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("the task journal cannot be read", e);
        }
        return events;
    }

    @Override
    public synchronized void close() {
        try {
            channel.close();
        } catch (IOException e) {
            throw new UncheckedIOException("the task journal " + file.getFileName() + " cannot be closed", e);
        }
    }

    private synchronized long write(byte[] payload, boolean force) throws IOException {
        if (payload.length > MAX_RECORD) {
            throw new IOException("a journal record is too large");
        }
        ByteBuffer frame = FORMAT.frame(payload);
        long position = size;
        FramedLog.writeFully(channel, frame, position);
        size += FramedLog.FRAME_HEADER_BYTES + payload.length;
        if (force) {
            channel.force(false);
        }
        return position;
    }

    private static Optional<byte[]> readRecord(FileChannel channel, long position, long limit) throws IOException {
        return FORMAT.read(channel, position, limit) instanceof Valid valid ? Optional.of(valid.payload()) : Optional.empty();
    }

    /**
     * Rewrites a journal of the old framing (no file header, a CRC over the payload only) in the
     * current one, keeping its records up to the first torn or corrupt one, as replaying it did.
     * The rewrite goes to a sibling file moved into place, so a crash midway leaves the old journal.
     */
    private static void upgradeIfUnframed(Path file) throws IOException {
        Path upgraded = file.resolveSibling(file.getFileName() + UPGRADING);
        long records = 0;
        try (FileChannel old = FileChannel.open(file, StandardOpenOption.READ)) {
            if (FORMAT.hasHeader(old)) {
                return;
            }
            try (FileChannel out = FileChannel.open(upgraded, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                FramedLog.writeFully(out, FORMAT.header(), 0);
                long limit = old.size();
                long from = 0;
                long to = FramedLog.HEADER_BYTES;
                while (FORMAT.readPayloadOnlyCrc(old, from, limit) instanceof Valid valid) {
                    FramedLog.writeFully(out, FORMAT.frame(valid.payload()), to);
                    from += valid.frameBytes();
                    to += valid.frameBytes();
                    records++;
                }
                out.force(true);
            }
        }
        if (records == 0) {
            Files.delete(upgraded);
            throw new HeaderNeverWritten();
        }
        Files.move(upgraded, file, StandardCopyOption.ATOMIC_MOVE);
        forceDirectory(file.getParent());
    }

    private static void forceDirectory(Path dir) {
        try (FileChannel directory = FileChannel.open(dir, StandardOpenOption.READ)) {
            directory.force(true);
        } catch (IOException e) {
            // not every file system lets a directory be opened; the file itself is forced
        }
    }

    // ---- encoding

    private static byte[] encodeHeader(Header header) throws IOException {
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

    private static Header decodeHeader(byte[] payload) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(payload));
        if (in.readByte() != SPEC) {
            throw new IOException("not a task journal");
        }
        int version = in.readInt();
        if (version != VERSION && version != VERSION_WITHOUT_STEPS && version != VERSION_WITHOUT_TRACE) {
            throw new IOException("not a task journal of this version");
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
            return new Header(new TaskSpec(runId, repoUrl, commit, folder, environment, steps, env, timeout, artifacts,
                    traceId), grants, backend);
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new IOException("the journal's header is not valid", e);
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
                throw new IOException("unknown journal record");
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
            throw new IOException("a journal record is not valid", e);
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
            throw new IOException("a journal list is not valid");
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
            throw new IOException("a journal string is not valid");
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

    /**
     * A journal without its task header: the executor died while creating it, before
     * {@link #create} forced the header and so before StartTask answered. No task was ever
     * acknowledged for it, and the gateway retries StartTask, which must be able to create it again.
     */
    static final class HeaderNeverWritten extends IOException {
        HeaderNeverWritten() {
            super("the journal has no header: the executor stopped while creating it, before the task was acknowledged");
        }
    }
}
