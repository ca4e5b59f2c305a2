package dev.portcullis.gateway.run;

/** Port: tells people that a run waits for their approval (chat webhooks). */
public interface ApprovalAnnouncer {

    /** Announces that {@code run} waits for approval; never throws, never blocks for long. */
    void announce(Run run);
}
