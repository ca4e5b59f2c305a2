package dev.portcullis.executor.task;

/** Why a task failed, where the executor knows a cause the gateway may act on. */
public enum TaskFailure {
    /** Not failed, or failed without one of the causes below (e.g. the command exited non-zero). */
    NONE,
    /** The plan artifact's bytes differ from the digest the task was given; the command never ran. */
    PLAN_DIGEST_MISMATCH,
    /** The plan artifact could not be read from the store, or could not be placed in the checkout. */
    PLAN_UNAVAILABLE,
    /** The command succeeded but did not write the file it should produce (or wrote it outside the checkout). */
    ARTIFACT_MISSING,
    /** The produced artifact could not be stored. */
    ARTIFACT_UNAVAILABLE,
    /** The task's secrets could not be read. */
    SECRETS_UNAVAILABLE,
    /** The executor stopped while the task ran on a backend whose tasks do not survive that. */
    EXECUTOR_RESTARTED,
    /** After an executor restart the backend no longer knew the task; it was not started again. */
    TASK_LOST,
    /** The steps succeeded but the plan summary could not be derived (show -json failed, or its output was refused). */
    PLAN_SUMMARY_UNAVAILABLE
}
