package dev.portcullis.gateway.run;

import static java.util.Objects.requireNonNull;

import dev.portcullis.runtime.identity.SpiffeId;
import java.time.Instant;

/**
 * One approval given to a run.
 *
 * @param planDigest the plan digest it was given for (applies); empty otherwise
 * @param comment the approver's comment, at most 1024 characters
 */
public record Approval(SpiffeId approver, Instant approvedAt, String planDigest, String comment) {
    public Approval {
        requireNonNull(approver, "approver is null");
        requireNonNull(approvedAt, "approvedAt is null");
        requireNonNull(planDigest, "planDigest is null");
        requireNonNull(comment, "comment is null");
    }
}
