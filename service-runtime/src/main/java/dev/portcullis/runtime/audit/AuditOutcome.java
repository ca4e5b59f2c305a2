package dev.portcullis.runtime.audit;

/** How an audited action ended. */
public enum AuditOutcome {
    /** It succeeded. */
    SUCCESS,
    /** It failed. */
    FAILURE,
    /** Authentication, authorisation or policy refused it. */
    DENIED
}
