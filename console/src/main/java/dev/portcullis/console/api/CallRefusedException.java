package dev.portcullis.console.api;

import static java.util.Objects.requireNonNull;

/**
 * The gateway or the audit service refused or failed a call the console made for a user: the
 * gRPC status code's name ({@code PERMISSION_DENIED}), the {@code ErrorInfo} reason when there is
 * one ({@code LOGIN_TOO_OLD}), and the service's message, which the services keep safe to show.
 */
public final class CallRefusedException extends RuntimeException {
    private final String code;
    private final String reason;

    public CallRefusedException(String code, String reason, String message) {
        super(requireNonNull(message, "message is null"));
        this.code = requireNonNull(code, "code is null");
        this.reason = requireNonNull(reason, "reason is null");
    }

    /** The status code's name, e.g. {@code PERMISSION_DENIED}. */
    public String code() {
        return code;
    }

    /** The ErrorInfo reason, empty when the service gave none. */
    public String reason() {
        return reason;
    }

    /** Whether the user must sign in again: a fresh login for an approval, or a token the service no longer accepts. */
    public boolean needsFreshLogin() {
        return reason.equals("LOGIN_TOO_OLD") || code.equals("UNAUTHENTICATED");
    }
}
