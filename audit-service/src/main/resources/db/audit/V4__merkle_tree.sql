-- The RFC 9162 Merkle tree over the events (docs/audit.md, "The Merkle tree"). Portable between
-- H2 2.x and PostgreSQL 15.
--
-- Every perfect subtree of height 1 and up, written once, in the appending transaction, when its
-- last leaf arrives: node (height, idx) covers leaves [idx * 2^height, (idx + 1) * 2^height).
-- Leaves (height 0) are not stored here: a leaf is SHA-256(0x00 || the event's chain hash).
CREATE TABLE audit_tree_node (
    height SMALLINT NOT NULL,
    idx    BIGINT   NOT NULL,
    hash   CHAR(64) NOT NULL,
    PRIMARY KEY (height, idx)
);

-- Leaves in the tree. Equal to seq once the service has added the events stored before this
-- migration (at start, in short transactions under the chain head lock); appends keep it equal.
ALTER TABLE audit_head ADD COLUMN tree_size BIGINT DEFAULT 0 NOT NULL;

-- Signed checkpoints of the tree: C2SP tlog-checkpoint bodies in C2SP signed notes (Ed25519).
-- They replace audit_checkpoint, which keeps the chain-head checkpoints signed before.
CREATE TABLE audit_tree_checkpoint (
    tree_size BIGINT        NOT NULL PRIMARY KEY,
    signed_at BIGINT        NOT NULL,
    note      VARCHAR(4000) NOT NULL
);
