package dev.portcullis.bench.reliability;

import static java.util.Objects.requireNonNull;

import dev.portcullis.v1.AuditAction;
import dev.portcullis.v1.AuditEvent;
import java.util.function.Predicate;

/**
 * The audit event a hostile case's refusal must leave: its action, a description for the report,
 * and what marks the event as this case's (its caller, run or claimed certificate name).
 */
record ExpectedAudit(AuditAction action, String description, Predicate<AuditEvent> matches) {
    ExpectedAudit {
        requireNonNull(action, "action is null");
        requireNonNull(description, "description is null");
        requireNonNull(matches, "matches is null");
    }

    /** A request refused as invalid, by this caller. */
    static ExpectedAudit invalidRequest(CorpusCaller caller, String reason) {
        return new ExpectedAudit(AuditAction.AUDIT_ACTION_REQUEST_INVALID, "request.invalid " + reason + " by " + caller.identity(),
                e -> e.getActor().equals(caller.identity()) && e.getReason().equals(reason));
    }

    /** For callers shared between cases (the approvers): the method tells them apart within the case's window. */
    static ExpectedAudit invalidRequest(CorpusCaller caller, String reason, String method) {
        return new ExpectedAudit(AuditAction.AUDIT_ACTION_REQUEST_INVALID, "request.invalid " + reason + " of " + method + " by "
                + caller.identity(), e -> e.getActor().equals(caller.identity()) && e.getReason().equals(reason)
                        && e.getAttributesOrDefault("method", "").equals(method));
    }

    /** A verified caller refused for what it is. */
    static ExpectedAudit authFailed(CorpusCaller caller, String reason) {
        return new ExpectedAudit(AuditAction.AUDIT_ACTION_AUTH_FAILED, "auth.failed " + reason + " for " + caller.identity(),
                e -> e.getActor().equals(caller.identity()) && e.getReason().equals(reason));
    }

    /** An event of {@code action} refused for this caller. */
    static ExpectedAudit onActor(AuditAction action, CorpusCaller caller, String reason) {
        return new ExpectedAudit(action, action + " " + reason + " for " + caller.identity(),
                e -> e.getActor().equals(caller.identity()) && e.getReason().equals(reason));
    }

    /** An event of {@code action} refused on this run, whoever asked. */
    static ExpectedAudit onRun(AuditAction action, String runId, String reason) {
        return new ExpectedAudit(action, action + " " + reason + " on run " + runId,
                e -> e.getResource().getRunId().equals(runId) && e.getReason().equals(reason));
    }

    /** A refusal before any identity was verified: the event names what the certificate claimed, marked unverified. */
    static ExpectedAudit claimed(String claim, String reason) {
        return new ExpectedAudit(AuditAction.AUDIT_ACTION_AUTH_FAILED, "auth.failed " + reason + " naming the unverified claim "
                + claim, e -> e.getActor().isEmpty() && e.getReason().equals(reason)
                        && e.getAttributesOrDefault("unverified_names", "").contains(claim));
    }

    /**
     * An identity token refused before any identity was verified: the event names no actor, says
     * the credential was an identity token and carries the token's unverified {@code jti} (""
     * for a token refused before its claims were read: the case's window alone tells it apart).
     */
    static ExpectedAudit refusedToken(String jti, String reason) {
        return new ExpectedAudit(AuditAction.AUDIT_ACTION_AUTH_FAILED, "auth.failed " + reason + " of the identity token "
                + (jti.isEmpty() ? "(no claims read)" : "with unverified jti " + jti), e -> e.getActor().isEmpty()
                        && e.getReason().equals(reason) && e.getAttributesOrDefault("credential", "").equals("identity_token")
                        && e.getAttributesOrDefault("unverified_jti", "").equals(jti));
    }

    /** A run the policy denied for this caller, naming {@code reason}. */
    static ExpectedAudit policyDenied(CorpusCaller caller, String reason) {
        return new ExpectedAudit(AuditAction.AUDIT_ACTION_POLICY_DENIED, "policy.denied naming " + reason + " for "
                + caller.identity(), e -> e.getActor().equals(caller.identity())
                        && e.getAttributesOrDefault("reasons", "").contains(reason));
    }

    /** An event of {@code action} refused for this caller on this run. */
    static ExpectedAudit onActorAndRun(AuditAction action, CorpusCaller caller, String runId, String reason) {
        return new ExpectedAudit(action, action + " " + reason + " for " + caller.identity() + " on run " + runId,
                e -> e.getActor().equals(caller.identity()) && e.getReason().equals(reason)
                        && e.getResource().getRunId().equals(runId));
    }

    /** A verified caller refused for what it is, calling {@code method} (the event's resource names it). */
    static ExpectedAudit authFailed(CorpusCaller caller, String reason, String method) {
        return new ExpectedAudit(AuditAction.AUDIT_ACTION_AUTH_FAILED, "auth.failed " + reason + " of " + method + " for "
                + caller.identity(), e -> e.getActor().equals(caller.identity()) && e.getReason().equals(reason)
                        && e.getResource().getId().endsWith("/" + method));
    }
}
