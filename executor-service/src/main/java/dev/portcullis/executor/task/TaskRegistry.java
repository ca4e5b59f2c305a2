package dev.portcullis.executor.task;

import static java.util.Objects.requireNonNull;

import dev.portcullis.catalog.SecretGrant;
import dev.portcullis.runtime.error.DomainException;
import dev.portcullis.runtime.request.RunId;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The executor's tasks by run id: one task per run id, ever, also across restarts. A run id
 * gets one journal under {@code journalDir}; starting it again with the same content returns
 * its task, with other content is a conflict. On startup every journal is replayed and its task
 * is followed again or ended. Thread-safe.
 */
final class TaskRegistry {
    private static final Logger log = LoggerFactory.getLogger(TaskRegistry.class);

    private final Path journalDir;
    private final int memoryLines;
    private final TaskExecution.Collaborators with;
    private final Map<RunId, TaskExecution> tasks = new ConcurrentHashMap<>();
    /**
     * Run ids whose journal a restart could not read: whether their task ran is unknown, so they
     * are never started again (their journal stays for whoever investigates).
     */
    private final Set<RunId> unreadable = ConcurrentHashMap.newKeySet();
    /** Held while a new task's journal is created, so a run id gets one journal. */
    private final Object creating = new Object();

    /** @param memoryLines events of each task kept in memory (at least 1); older ones are read from the journal */
    TaskRegistry(Path journalDir, int memoryLines, TaskExecution.Collaborators with) {
        this.journalDir = requireNonNull(journalDir, "journalDir is null");
        if (memoryLines < 1) {
            throw new IllegalArgumentException("memoryLines must be at least 1");
        }
        this.memoryLines = memoryLines;
        this.with = requireNonNull(with, "with is null");
    }

    /**
     * Starts the task of {@code spec.runId()}, or returns the one started before with the same
     * content as it is — never a second one. Blocks while a new task's plan is fetched and its
     * secrets are read.
     *
     * @throws DomainException CONFLICT (TASK_CONFLICT) when that run id was started with other content
     * @throws dev.portcullis.runtime.error.InvalidRequestException when the plan artifact is not one of this executor's store
     */
    Task start(TaskSpec spec, List<SecretGrant> grants) {
        List<SecretGrant> granted = List.copyOf(grants);
        TaskExecution existing = tasks.get(spec.runId());
        if (existing != null) {
            return existing.sameOrConflict(spec, granted);
        }
        if (unreadable.contains(spec.runId())) {
            throw unreadableJournal(spec.runId());
        }
        with.plans().requireKnown(spec);
        TaskExecution fresh;
        synchronized (creating) {
            existing = tasks.get(spec.runId());
            if (existing != null) {
                return existing.sameOrConflict(spec, granted);
            }
            TaskBackend.Kind backend = with.backend().kind();
            TaskJournal journal = TaskJournal.create(journalDir, new TaskJournal.Header(spec, granted, backend));
            try {
                fresh = new TaskExecution(spec, granted, new TaskLog(journal, memoryLines),
                        Task.pending(spec.runId(), backend, with.clock().instant()), with);
                fresh.announce();
            } catch (RuntimeException failure) {
                // nothing launched and nothing answered: the journal goes, or the retried StartTask could
                // never create it again and the run would wait for ever (found by review)
                try {
                    journal.close();
                } catch (RuntimeException closing) {
                    failure.addSuppressed(closing);
                }
                discard(journalDir.resolve(spec.runId().value() + TaskJournal.SUFFIX));
                throw failure;
            }
            tasks.put(spec.runId(), fresh);
        }
        fresh.launch();
        return fresh.task();
    }

    /** @throws DomainException NOT_FOUND (TASK_NOT_FOUND) */
    TaskExecution get(RunId runId) {
        TaskExecution execution = tasks.get(runId);
        if (execution == null) {
            throw new DomainException(DomainException.Kind.NOT_FOUND, "TASK_NOT_FOUND", "no task for this run",
                    Map.of("run_id", runId.value()));
        }
        return execution;
    }

    /** Every task, as a live view. */
    Collection<TaskExecution> all() {
        return tasks.values();
    }

    /** Every task as it is now. */
    List<Task> current() {
        return tasks.values().stream().map(TaskExecution::task).toList();
    }

    /**
     * Replays the journals and follows again the unfinished tasks of a backend whose tasks survive
     * restarts; other unfinished tasks end FAILED. An unreadable journal is logged and skipped.
     */
    void recover() {
        TaskBackend backend = with.backend();
        for (Path file : TaskJournal.files(journalDir)) {
            Replayed replayed = new Replayed();
            TaskJournal.Header header;
            try {
                header = TaskJournal.open(file, (h, journal) -> {
                    replayed.log = new TaskLog(journal, memoryLines);
                    return replayed;
                });
            } catch (UncheckedIOException e) {
                if (e.getCause() instanceof TaskJournal.HeaderNeverWritten) {
                    // created by a StartTask that never answered: nothing was acknowledged, and the
                    // gateway's retry must find the run id free (found by the reliability suite)
                    discard(file);
                    continue;
                }
                log.atError().setCause(e).addKeyValue("journal", file.getFileName()).log("task.journal_unreadable");
                runIdOf(file).ifPresent(unreadable::add);
                continue;
            }
            if (replayed.last == null) {
                // the header is written before the task's first state, and StartTask answers only after
                // that: a journal without a state belongs to a StartTask that never answered, which the
                // gateway retries; left here, the retry could never create the journal again
                replayed.log.release();
                discard(file);
                continue;
            }
            TaskExecution execution = new TaskExecution(header.spec(), header.grants(), replayed.log, replayed.last, with);
            tasks.put(header.spec().runId(), execution);
            if (replayed.last.state().isFinal()) {
                if (!replayed.endAudited) {
                    // the executor died after journaling the end and before the outbox took it
                    execution.auditEnd(replayed.last);
                }
                replayed.log.close();
            } else if (backend.survivesRestart() && header.backend() == backend.kind()) {
                execution.resume(replayed.stdoutLines);
            } else {
                execution.endAfterRestart(header.backend() == backend.kind() ? TaskService.RESTARTED
                        : "executor restarted with another backend while the task ran; it is not followed again");
            }
        }
    }

    /** What a journal's replay found; confined to the replaying thread. */
    private static final class Replayed implements TaskJournal.Replay {
        TaskLog log;
        Task last; // the last state change; null when the journal has none
        long stdoutLines;
        boolean endAudited;

        @Override
        public void endAudited() {
            endAudited = true;
        }

        @Override
        public void event(TaskEvent event, long position) {
            log.restored(event, position);
            if (event instanceof TaskEvent.StateChanged changed) {
                last = changed.task();
            } else if (event instanceof TaskEvent.Line line && line.stream() == TaskEvent.Stream.STDOUT) {
                stdoutLines++;
            }
        }
    }

    /**
     * Why a run whose journal a restart could not read is not started. Whether its task ran is
     * unknown. A local task died with the executor, so the run is refused for good and the gateway
     * ends it FAILED rather than leaving it queued. An ECS task may still run, so the run waits
     * (unavailable), keeping its lock, until an operator has looked: the journal's file, named by
     * the {@code task.journal_unreadable} log line, moved aside and the executor restarted.
     */
    private DomainException unreadableJournal(RunId runId) {
        boolean mayStillRun = with.backend().survivesRestart();
        return new DomainException(mayStillRun ? DomainException.Kind.UNAVAILABLE : DomainException.Kind.PRECONDITION,
                "TASK_JOURNAL_UNREADABLE", "the executor cannot read the journal of this run's task, so whether it ran is"
                        + " unknown; " + (mayStillRun ? "its task may still run on the backend, so it is not started until an"
                                + " operator has checked and moved the journal aside" : "it is not started again: submit a new run"),
                Map.of("run_id", runId.value()));
    }

    /** The run id a journal file is named after; empty for a file named otherwise. */
    private static Optional<RunId> runIdOf(Path file) {
        String name = file.getFileName().toString();
        try {
            return Optional.of(new RunId(name.substring(0, name.length() - TaskJournal.SUFFIX.length())));
        } catch (IllegalArgumentException notARunId) {
            return Optional.empty();
        }
    }

    private static void discard(Path file) {
        try {
            Files.delete(file);
            log.atWarn().addKeyValue("journal", file.getFileName()).log("task.journal_discarded");
        } catch (IOException e) {
            log.atError().setCause(e).addKeyValue("journal", file.getFileName()).log("task.journal_unreadable");
        }
    }
}
