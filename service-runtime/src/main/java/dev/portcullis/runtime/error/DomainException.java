package dev.portcullis.runtime.error;

import static java.util.Objects.requireNonNull;

import java.util.Map;

/**
 * A failure with a meaning the caller can act on: a {@link Kind}, a stable UPPER_SNAKE
 * {@code reason} documented in {@code errors.proto}, and metadata safe to show the caller. Each
 * service's error mapper turns it into a gRPC status with {@code google.rpc.ErrorInfo}.
 */
public class DomainException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** What kind of failure, independent of transport. */
    public enum Kind { INVALID, NOT_FOUND, DENIED, CONFLICT, EXISTS, PRECONDITION, OUT_OF_RANGE, UNAVAILABLE, TOO_LARGE, EXHAUSTED }

    private final Kind kind;
    private final String reason;
    private final Map<String, String> metadata;

    /** @param message safe to show the caller: no secrets, paths, SQL or upstream text */
    public DomainException(Kind kind, String reason, String message, Map<String, String> metadata) {
        super(requireNonNull(message, "message is null"), null, false, false);
        this.kind = requireNonNull(kind, "kind is null");
        this.reason = requireNonNull(reason, "reason is null");
        this.metadata = Map.copyOf(metadata);
    }

    public Kind kind() {
        return kind;
    }

    /** Stable UPPER_SNAKE reason, e.g. {@code CATALOG_INVALID}. */
    public String reason() {
        return reason;
    }

    /** Safe key-value details for {@code ErrorInfo.metadata}. */
    public Map<String, String> metadata() {
        return metadata;
    }
}
