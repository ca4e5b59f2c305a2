-- Cosignatures (C2SP tlog-cosignature) that witnesses returned for checkpoints, each checked with
-- the witness's configured verifier key before it is kept (docs/audit.md, "Witnesses"). Appending
-- a row's line to the checkpoint of its tree size (audit_tree_checkpoint) gives the cosigned note.
CREATE TABLE audit_witness_cosignature (
    sink        VARCHAR(128)  NOT NULL, -- the witness, as in audit_witness_cursor
    tree_size   BIGINT        NOT NULL, -- the checkpoint cosigned
    key_name    VARCHAR(256)  NOT NULL, -- the cosigner's key name
    cosigned_at BIGINT        NOT NULL, -- the cosignature's timestamp, epoch milliseconds
    line        VARCHAR(1024) NOT NULL, -- the note signature line, without its newline
    PRIMARY KEY (sink, tree_size, key_name)
);
