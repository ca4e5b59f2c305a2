-- Runs, their events, approvals and locks. Shared by every gateway replica.
CREATE TABLE runs (
    run_id            VARCHAR(36)    NOT NULL PRIMARY KEY,
    seq               BIGINT GENERATED ALWAYS AS IDENTITY,
    request_key       VARCHAR(128)   NOT NULL,
    requester         VARCHAR(2048)  NOT NULL,
    repo              VARCHAR(100)   NOT NULL,
    commit_sha        VARCHAR(40)    NOT NULL,
    git_ref           VARCHAR(255)   NOT NULL,
    folder            VARCHAR(255)   NOT NULL,
    environment       VARCHAR(100)   NOT NULL,
    command           VARCHAR(100)   NOT NULL,
    plan_run_id       VARCHAR(36),
    lock_key          VARCHAR(460)   NOT NULL,
    state             VARCHAR(32)    NOT NULL,
    state_reason      VARCHAR(8192)  NOT NULL,
    decision          VARCHAR(1000000) NOT NULL,
    approval_deadline TIMESTAMP WITH TIME ZONE,
    artifact_uri      VARCHAR(2048),
    artifact_sha256   VARCHAR(64),
    artifact_size     BIGINT,
    exit_code         INTEGER,
    trace_id          VARCHAR(32)    NOT NULL,
    break_glass       VARCHAR(2048)  NOT NULL,
    created_at        TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at        TIMESTAMP WITH TIME ZONE NOT NULL,
    next_offset       BIGINT         NOT NULL,
    task_offset       BIGINT         NOT NULL,
    cancel_requested  BOOLEAN        NOT NULL,
    owner             VARCHAR(64),
    lease_until       TIMESTAMP WITH TIME ZONE,
    CONSTRAINT runs_request_key UNIQUE (requester, request_key)
);
CREATE UNIQUE INDEX runs_seq ON runs (seq);
CREATE INDEX runs_queue ON runs (state, lock_key, seq);

CREATE TABLE run_events (
    run_id       VARCHAR(36)   NOT NULL,
    event_offset BIGINT        NOT NULL,
    event_time   TIMESTAMP WITH TIME ZONE NOT NULL,
    kind         VARCHAR(8)    NOT NULL,
    state        VARCHAR(32),
    exit_code    INTEGER,
    body         VARCHAR(100000) NOT NULL,
    redacted     BOOLEAN       NOT NULL,
    PRIMARY KEY (run_id, event_offset)
);

CREATE TABLE run_approvals (
    run_id      VARCHAR(36)   NOT NULL,
    approver    VARCHAR(2048) NOT NULL,
    approved_at TIMESTAMP WITH TIME ZONE NOT NULL,
    plan_digest VARCHAR(64)   NOT NULL,
    comment     VARCHAR(1024) NOT NULL,
    PRIMARY KEY (run_id, approver)
);

-- One active run per (repo, folder, environment): the primary key is the lock.
CREATE TABLE run_locks (
    lock_key    VARCHAR(460) NOT NULL PRIMARY KEY,
    run_id      VARCHAR(36)  NOT NULL UNIQUE,
    acquired_at TIMESTAMP WITH TIME ZONE NOT NULL
);
