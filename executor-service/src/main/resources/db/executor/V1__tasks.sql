-- The executor's tasks, their events and leases (issue 19). Shared by every executor replica;
-- the executor needs a database (or schema) of its own: its Flyway history is its own.
-- A task's header (spec and grants) and its current state are the executor's versioned binary
-- records (TaskCodec): references only, never a secret value. Lines are stored redacted.
CREATE TABLE tasks (
    run_id        VARCHAR(36)              NOT NULL PRIMARY KEY,
    backend       VARCHAR(16)              NOT NULL,
    header        BYTEA                    NOT NULL,
    state         VARCHAR(32)              NOT NULL,
    task          BYTEA                    NOT NULL,
    created_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    -- the replica following the task, until lease_until; NULL once the task ended or was released
    holder        VARCHAR(64),
    lease_until   TIMESTAMP WITH TIME ZONE,
    -- a cancel asked through a replica that does not follow the task; its follower reads it
    cancel_reason VARCHAR(2048),
    end_audited   BOOLEAN                  NOT NULL
);
CREATE INDEX tasks_by_state ON tasks (state, lease_until);
-- ends a replica stored and died before auditing: looked for every second, so not by a scan
CREATE INDEX tasks_end_unaudited ON tasks (end_audited, updated_at);

-- Every event of a task at its offset (dense from 0): what WatchTask streams and resumes from.
CREATE TABLE task_events (
    run_id       VARCHAR(36)              NOT NULL REFERENCES tasks (run_id),
    event_offset BIGINT                   NOT NULL,
    kind         CHAR(1)                  NOT NULL, -- T: state change, L: line
    stream       VARCHAR(8),                        -- STDOUT, STDERR or SYSTEM for a line
    recorded_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    event        BYTEA                    NOT NULL,
    PRIMARY KEY (run_id, event_offset)
);
