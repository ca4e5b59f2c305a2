package dev.portcullis.executor.task;

import java.util.EnumSet;
import java.util.Set;

/** Lifecycle of a task; the legal transitions live here and nowhere else. */
public enum TaskState {
    PENDING, STARTING, RUNNING, SUCCEEDED, FAILED, CANCELLED, TIMED_OUT;

    /** True for states a task never leaves. */
    public boolean isFinal() {
        return this == SUCCEEDED || this == FAILED || this == CANCELLED || this == TIMED_OUT;
    }

    /** True when a task in this state may move to {@code next}. */
    public boolean canMoveTo(TaskState next) {
        Set<TaskState> allowed = switch (this) {
            case PENDING -> EnumSet.of(STARTING, CANCELLED, FAILED);
            case STARTING -> EnumSet.of(RUNNING, FAILED, CANCELLED, TIMED_OUT);
            case RUNNING -> EnumSet.of(SUCCEEDED, FAILED, CANCELLED, TIMED_OUT);
            case SUCCEEDED, FAILED, CANCELLED, TIMED_OUT -> EnumSet.noneOf(TaskState.class);
        };
        return allowed.contains(next);
    }
}
