-- Audit events of run changes, written in the change's own transaction and deleted once the
-- durable audit outbox took them: a gateway killed between commit and hand-off leaves them here,
-- and a replica's relay hands them on (the audit service stores an event id once). A relay claims
-- rows (claim_token, claimed_until) so that two replicas do not ship the same rows at once.
CREATE TABLE audit_pending (
    event_id      UUID                     NOT NULL PRIMARY KEY,
    event         BYTEA                    NOT NULL,
    created_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    claim_token   VARCHAR(36),
    claimed_until TIMESTAMP WITH TIME ZONE
);
CREATE INDEX audit_pending_created ON audit_pending (created_at);
