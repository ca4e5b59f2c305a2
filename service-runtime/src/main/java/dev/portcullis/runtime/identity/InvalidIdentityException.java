package dev.portcullis.runtime.identity;

/** A certificate carries no usable SPIFFE identity. The message is safe to show the caller. */
public final class InvalidIdentityException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public InvalidIdentityException(String message) {
        super(message);
    }
}
