package dev.portcullis.executor.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portcullis.catalog.SecretGrant;
import dev.portcullis.executor.artifact.ArtifactPath;
import dev.portcullis.executor.plan.PlanSummary;
import dev.portcullis.executor.plan.PlanTool;
import dev.portcullis.executor.plan.TerraformPlanJson;
import dev.portcullis.runtime.framing.FramedLog;
import dev.portcullis.runtime.request.CommitSha;
import dev.portcullis.runtime.request.RepoFolder;
import dev.portcullis.runtime.request.RunId;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The journal's bytes on disk: the shared framing, torn tails, and journals written before it. */
class TaskJournalTest {
    private static final Instant T0 = Instant.parse("2024-03-04T10:00:00Z");

    @TempDir
    Path dir;

    private final TaskJournal.Header header = new TaskJournal.Header(new TaskSpec(RunId.random(), "https://git.example/repo.git",
            new CommitSha("0123456789abcdef0123456789abcdef01234567"), RepoFolder.parse("stage/app"), "stage",
            List.of("terraform", "plan"), Duration.ofMinutes(5)), List.of(SecretGrant.parse("kv:secret/data/prod/app")),
            TaskBackend.Kind.LOCAL);

    @Test
    void aJournalIsReplayedWithItsHeaderAndEveryEventAtItsPosition() throws Exception {
        List<Long> positions = new ArrayList<>();
        try (TaskJournal journal = TaskJournal.create(dir, header)) {
            for (int i = 0; i < 3; i++) {
                positions.add(journal.append(line(i), i == 2));
            }
        }

        List<TaskEvent> replayed = new ArrayList<>();
        List<Long> replayedAt = new ArrayList<>();
        TaskJournal.Header opened = open(replayed, replayedAt);

        assertEquals(header, opened);
        assertEquals(List.of(line(0), line(1), line(2)), replayed);
        assertEquals(positions, replayedAt);
        assertTrue(startsWithTheFramingHeader());
    }

    @Test
    void aJournalKeepsItsTasksStepsEnvAndPlanSummaryTool() {
        TaskSpec spec = new TaskSpec(RunId.random(), "https://git.example/repo.git",
                new CommitSha("0123456789abcdef0123456789abcdef01234567"), RepoFolder.parse("stage/app"), "stage",
                List.of(TaskStep.of(List.of("terraform", "init")), new TaskStep(List.of("terraform", "plan", "-out=p"), true)),
                Map.of("TF_IN_AUTOMATION", "1", "TF_INPUT", "0"), Duration.ofMinutes(5),
                TaskArtifacts.NONE.producing(new ArtifactPath("p")).summarisedBy(PlanTool.TOFU), "");
        TaskJournal.Header written = new TaskJournal.Header(spec, List.of(), TaskBackend.Kind.ECS);
        TaskJournal.create(dir, written).close();

        List<TaskJournal> opened = new ArrayList<>();
        TaskJournal.Header read = TaskJournal.open(dir.resolve(spec.runId().value() + TaskJournal.SUFFIX), (h, journal) -> {
            opened.add(journal);
            return (event, position) -> {};
        });
        opened.forEach(TaskJournal::close);

        assertEquals(written, read);
    }

    @Test
    void anEndedTasksPlanSummaryAndFailedStepAreReplayed() throws Exception {
        PlanSummary summary;
        try (InputStream in = getClass().getResourceAsStream("/dev/portcullis/executor/plan/create.json")) {
            summary = new TerraformPlanJson().summarise(in);
        }
        Task planned = Task.pending(header.spec().runId(), TaskBackend.Kind.LOCAL, T0).moveTo(TaskState.STARTING, T0, "")
                .moveTo(TaskState.RUNNING, T0, "")
                .withPlanSummary(new SummarisedPlan(PlanTool.TERRAFORM, summary)).moveTo(TaskState.SUCCEEDED, T0, "");
        Task failed = Task.pending(header.spec().runId(), TaskBackend.Kind.LOCAL, T0).moveTo(TaskState.STARTING, T0, "").moveTo(TaskState.RUNNING, T0, "")
                .withExitCode(1).withFailedStep(2).moveTo(TaskState.FAILED, T0, "step 2/3 exited with 1");
        try (TaskJournal journal = TaskJournal.create(dir, header)) {
            journal.append(new TaskEvent.StateChanged(0, T0, planned), true);
            journal.append(new TaskEvent.StateChanged(1, T0, failed), true);
        }

        List<TaskEvent> replayed = new ArrayList<>();
        open(replayed, new ArrayList<>());

        assertEquals(List.of(new TaskEvent.StateChanged(0, T0, planned), new TaskEvent.StateChanged(1, T0, failed)), replayed);
    }

    @Test
    void aTornLastRecordIsCutOffAndTheJournalTakesNewEventsAfterTheRest() throws Exception {
        try (TaskJournal journal = TaskJournal.create(dir, header)) {
            journal.append(line(0), true);
            journal.append(line(1), true);
        }
        Path file = file();
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(bytes, bytes.length - 3));

        List<TaskEvent> replayed = new ArrayList<>();
        List<TaskEvent> reread;
        try (TaskJournal journal = openKeeping(replayed).journal()) {
            journal.append(line(1), true);
            reread = journal.read(0, 0, 10);
        }

        assertEquals(List.of(line(0)), replayed);
        assertEquals(List.of(line(0), line(1)), reread);
    }

    @Test
    void aJournalWrittenInTheOldFramingIsReadAndRewrittenInTheSharedOne() throws Exception {
        try (TaskJournal journal = TaskJournal.create(dir, header)) {
            for (int i = 0; i < 3; i++) {
                journal.append(line(i), true);
            }
        }
        byte[] old = inTheOldFraming(Files.readAllBytes(file()));
        Files.write(file(), Arrays.copyOf(old, old.length - 2)); // and a torn tail, as a crash leaves it

        List<TaskEvent> replayed = new ArrayList<>();
        Opened opened = openKeeping(replayed);
        try (TaskJournal journal = opened.journal()) {
            journal.append(line(2), true);
        }
        List<TaskEvent> afterwards = new ArrayList<>();
        TaskJournal.Header reopened = open(afterwards, new ArrayList<>());

        assertEquals(header, opened.header());
        assertEquals(List.of(line(0), line(1)), replayed);
        assertEquals(header, reopened);
        assertEquals(List.of(line(0), line(1), line(2)), afterwards);
        assertTrue(startsWithTheFramingHeader());
        try (var files = Files.list(dir)) {
            assertEquals(List.of(file()), files.toList(), "no upgrade file is left behind");
        }
    }

    @Test
    void anOldJournalWithoutAHeaderRecordIsRefusedAndLeftAsItIs() throws Exception {
        byte[] garbage = {0, 0, 0, 4, 1, 2, 3, 4, 5, 6, 7, 8};
        Files.write(file(), garbage);

        UncheckedIOException refused = assertThrows(UncheckedIOException.class,
                () -> open(new ArrayList<>(), new ArrayList<>()));

        assertTrue(refused.getMessage().contains("cannot be read"));
        assertEquals(Arrays.toString(garbage), Arrays.toString(Files.readAllBytes(file())));
        assertFalse(Files.exists(dir.resolve(file().getFileName() + ".upgrading")));
    }

    /** The frames as the journal wrote them before the shared framing: no file header, a CRC over the payload only. */
    private static byte[] inTheOldFraming(byte[] current) {
        ByteBuffer in = ByteBuffer.wrap(current);
        in.position(FramedLog.HEADER_BYTES);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while (in.remaining() >= FramedLog.FRAME_HEADER_BYTES) {
            int length = in.getInt();
            in.getInt();
            byte[] payload = new byte[length];
            in.get(payload);
            CRC32 crc = new CRC32();
            crc.update(payload);
            ByteBuffer buffer = ByteBuffer.allocate(8 + payload.length);
            buffer.putInt(payload.length).putInt((int) crc.getValue()).put(payload).flip();
            out.write(buffer.array(), 0, buffer.limit());
        }
        return out.toByteArray();
    }

    private boolean startsWithTheFramingHeader() throws Exception {
        try (FileChannel channel = FileChannel.open(file(), StandardOpenOption.READ)) {
            return TaskJournal.FORMAT.hasHeader(channel);
        }
    }

    private TaskJournal.Header open(List<TaskEvent> events, List<Long> positions) {
        List<TaskJournal> opened = new ArrayList<>();
        TaskJournal.Header read = TaskJournal.open(file(), (h, journal) -> {
            opened.add(journal);
            return (event, position) -> {
                events.add(event);
                positions.add(position);
            };
        });
        opened.forEach(TaskJournal::close);
        return read;
    }

    private record Opened(TaskJournal.Header header, TaskJournal journal) {}

    /** Opens the journal and keeps it open for more events. */
    private Opened openKeeping(List<TaskEvent> events) {
        List<TaskJournal> opened = new ArrayList<>();
        TaskJournal.Header read = TaskJournal.open(file(), (h, journal) -> {
            opened.add(journal);
            return (event, position) -> events.add(event);
        });
        return new Opened(read, opened.get(0));
    }

    private Path file() {
        return dir.resolve(header.spec().runId().value() + TaskJournal.SUFFIX);
    }

    private static TaskEvent line(int i) {
        return new TaskEvent.Line(i, T0.plusSeconds(i), TaskEvent.Stream.STDOUT, "line " + i, false);
    }
}
