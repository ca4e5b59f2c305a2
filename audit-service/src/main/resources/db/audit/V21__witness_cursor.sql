-- Publication of signed checkpoints to witnesses (docs/audit.md, "Witnesses"): one row per
-- witness; every checkpoint in audit_tree_checkpoint larger than published_size is still to be
-- published to it, so a restart or another replica resumes where publishing stopped. V21, not V5:
-- the Java migration V20 exists and Flyway does not run migrations out of order.
CREATE TABLE audit_witness_cursor (
    sink              VARCHAR(128) NOT NULL PRIMARY KEY,
    published_size    BIGINT       NOT NULL, -- newest checkpoint size the witness accepted
    witness_size      BIGINT       NOT NULL, -- tree size the witness last said it holds
    failures          INT          NOT NULL, -- consecutive failed attempts
    inconsistent_size BIGINT       NOT NULL  -- checkpoint refused as inconsistent, alerted; 0 none
);
