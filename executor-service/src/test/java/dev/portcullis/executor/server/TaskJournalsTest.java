package dev.portcullis.executor.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.portcullis.runtime.testing.LogCapture;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Journal files of executors before the task database are not imported, and start-up says how many are left. */
class TaskJournalsTest {
    @TempDir
    Path dir;

    @Test
    void journalsLeftFromBeforeTheTaskDatabaseAreCountedAndNamedInOneWarning() throws Exception {
        Path journals = Files.createDirectories(dir.resolve("journal"));
        Files.write(journals.resolve("0f3c2a8e-0000-4000-8000-000000000001.journal"), new byte[] {1});
        Files.write(journals.resolve("0f3c2a8e-0000-4000-8000-000000000002.journal"), new byte[] {2});
        Files.write(journals.resolve("notes.txt"), new byte[] {3});

        try (LogCapture logs = new LogCapture(TaskJournals.class)) {
            assertEquals(2, TaskJournals.warnIfLeft(journals));

            assertEquals(1, logs.events("WARN", "task.journals_not_imported", "journals", "2").size());
        }
        try (var left = Files.list(journals)) {
            assertEquals(3, left.count(), "nothing is deleted");
        }
    }

    @Test
    void noJournalDirectoryIsNothingToSay() {
        assertEquals(0, TaskJournals.warnIfLeft(dir.resolve("journal")));
    }
}
