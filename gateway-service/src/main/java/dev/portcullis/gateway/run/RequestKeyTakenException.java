package dev.portcullis.gateway.run;

/** The requester already has a run with this request key (a concurrent retry got there first). */
public final class RequestKeyTakenException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public RequestKeyTakenException() {
        super("request key already used", null, false, false);
    }
}
