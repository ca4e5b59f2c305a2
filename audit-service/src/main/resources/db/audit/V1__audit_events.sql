-- The append-only, hash-chained audit log. Portable between H2 2.x and PostgreSQL 15.
CREATE TABLE audit_event (
    seq            BIGINT        NOT NULL PRIMARY KEY,
    event_id       VARCHAR(36)   NOT NULL,
    event_time     BIGINT        NOT NULL,
    stored_at      BIGINT        NOT NULL,
    service        VARCHAR(64)   NOT NULL,
    actor          VARCHAR(2048) NOT NULL,
    action         VARCHAR(64)   NOT NULL,
    resource_kind  VARCHAR(64)   NOT NULL,
    resource_id    VARCHAR(256)  NOT NULL,
    repo           VARCHAR(100)  NOT NULL,
    run_id         VARCHAR(64)   NOT NULL,
    outcome        VARCHAR(16)   NOT NULL,
    reason         VARCHAR(128)  NOT NULL,
    trace_id       VARCHAR(32)   NOT NULL,
    source_address VARCHAR(128)  NOT NULL,
    attributes     VARCHAR(200000) NOT NULL,
    previous_hash  CHAR(64)      NOT NULL,
    hash           CHAR(64)      NOT NULL,
    CONSTRAINT audit_event_event_id UNIQUE (event_id)
);

-- queries filter on one of these and page in sequence order: (column, seq) serves both
CREATE INDEX audit_event_time ON audit_event (event_time, seq);
CREATE INDEX audit_event_actor ON audit_event (actor, seq);
CREATE INDEX audit_event_action ON audit_event (action, seq);
CREATE INDEX audit_event_repo ON audit_event (repo, seq);
CREATE INDEX audit_event_run ON audit_event (run_id, seq);
CREATE INDEX audit_event_trace ON audit_event (trace_id, seq);

-- One row: the chain's head. Appenders lock it, so replicas sharing a database append in turn.
CREATE TABLE audit_head (
    id   INT      NOT NULL PRIMARY KEY,
    seq  BIGINT   NOT NULL,
    hash CHAR(64) NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TABLE audit_checkpoint (
    seq       BIGINT       NOT NULL PRIMARY KEY,
    hash      CHAR(64)     NOT NULL,
    signed_at BIGINT       NOT NULL,
    signature VARCHAR(200) NOT NULL,
    key_id    CHAR(64)     NOT NULL
);
