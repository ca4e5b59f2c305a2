package dev.portcullis.runtime.role;

/** A role an identity can hold; assigned to identity patterns in configuration, never inferred. */
public enum Role {
    /** A CI job that submits and watches runs. */
    CI,
    /** A human who approves or rejects runs (never their own). */
    APPROVER,
    /** Security staff who query and verify the audit log. */
    AUDITOR,
    /** Platform administrators. */
    ADMIN,
    /** Any of the suite's own services: may append audit events. */
    SERVICE,
    /** The gateway's identity: the only caller of the policy and executor services. */
    GATEWAY
}
