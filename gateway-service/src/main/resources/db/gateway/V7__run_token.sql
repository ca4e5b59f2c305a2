-- How a run's caller authenticated, and which OIDC identity token submitted it (issue 17).
-- authentication: 'mtls' or 'oidc:ISSUER' (ISSUER the configured issuer's name); runs stored before
-- this column existed were all submitted with a client certificate. token_issuer and token_jti name
-- the token (NULL for a certificate caller): the jti is unique only within its issuer.
ALTER TABLE runs ADD COLUMN authentication VARCHAR(80) DEFAULT 'mtls' NOT NULL;
ALTER TABLE runs ADD COLUMN token_issuer VARCHAR(64);
ALTER TABLE runs ADD COLUMN token_jti VARCHAR(256);
CREATE INDEX runs_token ON runs (token_issuer, token_jti);

-- One row per identity token that submitted a run: how many runs it submitted. A submission locks
-- its token's row (SELECT ... FOR UPDATE) in the transaction that inserts the run, so replicas
-- sharing the database count one after the other and the limit holds across them; the count rises
-- only when the run commits.
CREATE TABLE token_uses (
    token_issuer VARCHAR(64)  NOT NULL,
    token_jti    VARCHAR(256) NOT NULL,
    runs         INTEGER      NOT NULL,
    PRIMARY KEY (token_issuer, token_jti)
);
