-- What each outside source has delivered: operational counters for `portcullis audit sources`
-- and the silence watch. Not evidence (the events and refusals themselves are in the chain), so
-- it is updated outside the chain's transaction. Portable between H2 2.x and PostgreSQL 15.
-- Times are epoch milliseconds; 0 means never.
CREATE TABLE audit_source_activity (
    source              VARCHAR(48) NOT NULL PRIMARY KEY,
    watched_since       BIGINT      NOT NULL,
    deliveries          BIGINT      NOT NULL,
    last_delivery_at    BIGINT      NOT NULL,
    refusals            BIGINT      NOT NULL,
    last_refusal_at     BIGINT      NOT NULL,
    last_refusal_reason VARCHAR(64) NOT NULL
);
