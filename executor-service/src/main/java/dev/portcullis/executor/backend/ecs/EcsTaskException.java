package dev.portcullis.executor.backend.ecs;

/**
 * ECS or CloudWatch Logs refused or failed a call the runner could not do without. The message
 * names the operation and AWS's error code only; the SDK exception, with AWS's own text, is the
 * cause, for the log.
 */
public final class EcsTaskException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final boolean retryable;

    EcsTaskException(String message, boolean retryable, Throwable cause) {
        super(message, cause);
        this.retryable = retryable;
    }

    /** Whether the same call may succeed later: throttling, a 5xx or a network failure. */
    public boolean retryable() {
        return retryable;
    }
}
