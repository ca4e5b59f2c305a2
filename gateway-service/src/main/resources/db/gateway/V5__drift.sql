-- Drift detection (issue 20). A drift check is a plan run the gateway's drift scheduler submits
-- itself: marked here, so that no apply can name it and it can be listed apart.
ALTER TABLE runs ADD COLUMN drift BOOLEAN DEFAULT FALSE NOT NULL;

-- One row per drift target of the catalog in force: (repo, folder, environment), as the catalog
-- declares them; rows of targets the catalog no longer declares are deleted. Shared by every
-- replica: a replica submits a due check only after claiming its row (claimed_by, claim_until)
-- with an UPDATE the database lets one replica win. check_pending is true from the check's
-- submission until its run ended and its result was recorded (state, consecutive_failures):
-- a target never has more than one check waiting.
CREATE TABLE drift_targets (
    repo                 VARCHAR(100)  NOT NULL,
    folder               VARCHAR(255)  NOT NULL,
    environment          VARCHAR(100)  NOT NULL,
    first_seen           TIMESTAMP WITH TIME ZONE NOT NULL,
    last_check_start     TIMESTAMP WITH TIME ZONE,
    next_due             TIMESTAMP WITH TIME ZONE NOT NULL,
    last_run_id          VARCHAR(36),
    check_pending        BOOLEAN       NOT NULL,
    state                VARCHAR(16)   NOT NULL,
    state_reason         VARCHAR(1024) NOT NULL,
    consecutive_failures INTEGER       NOT NULL,
    claimed_by           VARCHAR(64),
    claim_until          TIMESTAMP WITH TIME ZONE,
    PRIMARY KEY (repo, folder, environment)
);
CREATE INDEX drift_targets_due ON drift_targets (next_due);
