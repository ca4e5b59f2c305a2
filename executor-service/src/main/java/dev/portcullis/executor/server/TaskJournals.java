package dev.portcullis.executor.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The per-task journal files executors before the task database kept under
 * {@code WORK_DIR/journal}. They are not imported: see docs/architecture.md (executor state).
 * Start-up only says that they are there, so an operator upgrading a dev data dir knows that
 * tasks in them are no longer answered for.
 */
final class TaskJournals {
    private static final Logger log = LoggerFactory.getLogger(TaskJournals.class);

    private TaskJournals() {}

    /** Logs {@code task.journals_not_imported} with their count when {@code dir} holds journal files. */
    static long warnIfLeft(Path dir) {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        long left;
        try (var files = Files.list(dir)) {
            left = files.filter(file -> file.getFileName().toString().endsWith(".journal")).count();
        } catch (IOException e) {
            log.atWarn().setCause(e).log("task.journals_unlisted");
            return 0;
        }
        if (left > 0) {
            log.atWarn().addKeyValue("journals", left).addKeyValue("dir", dir.toString()).log("task.journals_not_imported");
        }
        return left;
    }
}
