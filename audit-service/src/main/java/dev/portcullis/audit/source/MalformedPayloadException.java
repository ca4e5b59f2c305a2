package dev.portcullis.audit.source;

/** A signed delivery whose body is not of the shape its source promises; the message is safe to log. */
final class MalformedPayloadException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    MalformedPayloadException(String message) {
        super(message, null, false, false);
    }
}
